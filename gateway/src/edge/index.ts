/**
 * The edge's concerns, one module each; pipeline.ts (one level up) puts their middleware and
 * plugins in the order a request meets them.
 */
export * from './api-keys.ts';
export * from './auth.ts';
export * from './config.ts';
export * from './operation-limits.ts';
export * from './persisted.ts';
export * from './policy.ts';
export * from './scopes.ts';
export { openEdgeResources, openGatewayDatabase, type EdgeResources } from './resources.ts';
export { gatewayMigrations } from './migrations/index.ts';
