/** Starts the search subgraph over HTTP for tests, against a fresh database and the emulator. */
import { randomUUID } from 'node:crypto';
import { createLogger, startService, type StartedService } from '@traveloure/platform';
import {
  createTestDatabase,
  signedGraphQL,
  serviceEnv,
  type SignedGraphQL,
  type TestDatabase,
} from '@traveloure/platform/testing';
import type { SearchConfig } from './config.ts';
import { searchService } from './service.ts';

export interface SubgraphForTest {
  service: StartedService<SearchConfig>;
  database: TestDatabase;
  url: string;
  /** Calls the subgraph as the gateway would, for this user (or anonymously): `{ status, body }`. */
  graphql: SignedGraphQL;
  close(): Promise<void>;
}

export async function startSubgraphForTest(
  label: string,
  env: Record<string, string>,
  database?: TestDatabase,
): Promise<SubgraphForTest> {
  const ownDatabase = !database;
  const db = database ?? (await createTestDatabase(`search_${label}`));
  const service = await startService(searchService, {
    env: {
      ...serviceEnv({ databaseUrl: db.url }),
      REDIS_KEY_PREFIX: `test-search-${randomUUID()}`,
      SEARCH_WARM_INTERVAL_MS: '0',
      PG_POOL_MAX: '5',
      ...env,
    },
    port: 0,
    host: '127.0.0.1',
    logger: createLogger('search', { level: process.env.LOG_LEVEL ?? 'silent' }),
  });
  return {
    service,
    database: db,
    url: service.url,
    graphql: signedGraphQL('search', service.url),
    async close() {
      await service.close();
      if (ownDatabase) await db.drop();
    },
  };
}

/** A search of `kind` offers: each offer read with `offerFields`, and where the answer came from. */
const searchOperation = (kind: 'Flight' | 'Hotel', offerFields: string) => /* GraphQL */ `
  query ${kind}s($input: ${kind}SearchInput!) {
    search${kind}s(input: $input) {
      offers { id ${offerFields} }
      meta { provider cached stale fetchedAt }
    }
  }
`;

export const flightQuery = searchOperation(
  'Flight',
  'price { amount currency } validatingCarrier itineraries { duration segments { carrier number from to departure arrival } }',
);

export const hotelQuery = searchOperation(
  'Hotel',
  'hotel { id name cityCode rating } checkIn checkOut price { amount currency } boardType',
);
