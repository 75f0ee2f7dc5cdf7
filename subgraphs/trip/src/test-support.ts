/**
 * Test support for the trip subgraph: the real service on a free port against a fresh
 * PostgreSQL database, called over HTTP with signed identity headers, every statement recorded.
 */
import type { Kysely } from 'kysely';
import { createDatabase, currentRequestContext, migrateSchema, startService } from '@traveloure/platform';
import {
  createTestDatabase,
  postSigned,
  signedGraphQL,
  serviceEnv,
  type GraphQLResponse,
  type TestUser,
} from '@traveloure/platform/testing';
import type { Database } from './db/database.ts';
import { migrations } from './db/migrations/index.ts';
import { tripService } from './service.ts';

export type { TestUser } from '@traveloure/platform/testing';

export async function startSubgraphForTest(label: string, options: { seed?: boolean } = {}) {
  const database = await createTestDatabase(label);
  const statements: string[] = [];
  /** Every statement with the id of the request it served (none for background work). */
  const statementLog: { sql: string; requestId?: string }[] = [];
  const service = await startService(tripService, {
    env: {
      ...serviceEnv({ databaseUrl: database.url }),
      TRIP_POPULARITY_REFRESH_MS: '0',
    },
    port: 0,
    host: '127.0.0.1',
    seed: options.seed ?? true,
    onQuery: (sqlText) => {
      statements.push(sqlText);
      statementLog.push({ sql: sqlText, requestId: currentRequestContext()?.requestId });
    },
  });
  return {
    url: service.url,
    db: service.runtime.db as Kysely<Database>,
    statements,
    /** The statements that served the request with this id, in order. */
    statementsOf: (requestId: string) =>
      statementLog.filter((entry) => entry.requestId === requestId).map((entry) => entry.sql),
    /** Calls the subgraph as the gateway would for `user` (anonymous when absent or null): `{ status, body }`. */
    graphql: signedGraphQL('trip', service.url),
    /** Like `graphql`, under a request id of the caller's choosing (see `statementsOf`). */
    graphqlAs: <T = any>(requestId: string, query: string, user?: TestUser | null) =>
      postSigned<GraphQLResponse<T>['body']>('trip', service.url, query, {}, user ?? undefined, {
        requestId,
      }),
    async close() {
      await service.close();
      await database.drop();
    },
  };
}

export type SubgraphForTest = Awaited<ReturnType<typeof startSubgraphForTest>>;

/** A fresh database with the trip schema migrated, for repository tests. */
export async function migratedTestDatabase(label: string, onQuery?: (sqlText: string) => void) {
  const database = await createTestDatabase(label);
  const handle = createDatabase<Database>({ service: 'trip', url: database.url, onQuery });
  await migrateSchema(handle.db, 'trip', migrations);
  return {
    db: handle.db,
    url: database.url,
    async close() {
      await handle.close();
      await database.drop();
    },
  };
}
