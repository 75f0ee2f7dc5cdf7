/**
 * Test support shared by every package: throwaway PostgreSQL databases, a private Redis server
 * and a client connected to it, free ports, signed identities and the signed GraphQL call every
 * subgraph harness makes, raw HTTP exchanges, the settings a service under test starts from and a
 * stand-in for another service's outbox, an in-memory PGlite database for unit tests and a poll
 * for what a test sees only from outside (`waitFor`). Tests run
 * against real PostgreSQL and Redis, never mocks.
 */
export * from './postgres.ts';
export * from './redis-server.ts';
export * from './identity.ts';
export * from './postgres-cluster.ts';
export * from './fault-proxy.ts';
export * from './load-balancer.ts';
export * from './raw-http.ts';
export * from './outbox-stand-in.ts';
export * from './service-env.ts';
export * from './in-memory-database.ts';
export * from './wait.ts';
