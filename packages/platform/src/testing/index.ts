/**
 * Test support shared by every package: throwaway PostgreSQL databases, a private Redis server,
 * free ports and signed identities. Tests run against real PostgreSQL and Redis, never mocks.
 */
export * from './postgres.ts';
export * from './redis-server.ts';
export * from './identity.ts';
export * from './postgres-cluster.ts';
export * from './fault-proxy.ts';
export * from './load-balancer.ts';
export * from './in-memory-database.ts';
