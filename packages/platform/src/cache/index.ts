export * from './data-cache.ts';
export * from './invalidation-bus.ts';
export * from './pass-through.ts';
