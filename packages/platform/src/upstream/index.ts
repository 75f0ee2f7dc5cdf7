export * from './errors.ts';
export * from './upstream.ts';
export * from './settings.ts';
