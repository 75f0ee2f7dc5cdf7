export * from './response-cache.ts';
export * from './invalidation-bus.ts';
export * from './pass-through.ts';
