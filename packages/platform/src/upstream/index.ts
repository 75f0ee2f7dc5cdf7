export * from './errors.ts';
export * from './upstream.ts';
