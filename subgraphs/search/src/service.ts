import type { Kysely } from 'kysely';
import {
  createDataCache,
  createServiceServer,
  readTypeDefs,
  createUpstream,
  upstreamPoliciesOf,
  type ServiceDefinition,
  type ServiceRuntime,
} from '@traveloure/platform';
import { createAmadeusClient } from './amadeus/client.ts';
import { UPSTREAM } from './amadeus/errors.ts';
import { createAmadeusThrottle } from './amadeus/throttle.ts';
import { searchConfigSchema, type SearchConfig } from './config.ts';
import { createContext } from './context.ts';
import type { Database } from './db/database.ts';
import { migrations } from './db/migrations/index.ts';
import type { SearchProvider } from './models.ts';
import { createAmadeusProvider } from './providers/amadeus.ts';
import { createDemoProvider } from './providers/demo.ts';
import { resolvers } from './resolvers/index.ts';
import { createSearchLogWriter } from './search-log/search-log-writer.ts';
import { createSearchService } from './search/search.service.ts';
import { createCacheWarming } from './warming/warming.service.ts';

export const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

/** Amadeus when credentials are set, else the demo provider (the embedded default). */
export function createProvider(runtime: ServiceRuntime<SearchConfig>): {
  provider: SearchProvider;
  close(): Promise<void>;
} {
  const { config, logger, health, redis } = runtime;
  if (!config.AMADEUS_CLIENT_ID || !config.AMADEUS_CLIENT_SECRET) {
    logger.info('no Amadeus credentials: searches answer from the demo provider (provider "demo")');
    return { provider: createDemoProvider(), close: async () => undefined };
  }
  const upstream = createUpstream({
    name: UPSTREAM,
    logger,
    health,
    service: 'search',
    ...upstreamPoliciesOf('AMADEUS', config),
  });
  const throttle = createAmadeusThrottle({
    tps: config.AMADEUS_TPS,
    redis,
    keyPrefix: `${config.REDIS_KEY_PREFIX}:search:amadeus-tps`,
    maxQueueSize: config.AMADEUS_MAX_QUEUE * 4,
  });
  const client = createAmadeusClient({
    clientId: config.AMADEUS_CLIENT_ID,
    clientSecret: config.AMADEUS_CLIENT_SECRET,
    baseUrl: config.AMADEUS_HOST,
    logger,
    upstream,
    throttle,
    tokenTimeoutMs: config.AMADEUS_TIMEOUT_MS,
  });
  logger.info({ host: config.AMADEUS_HOST }, 'searches answer from Amadeus');
  const hotelLists = createDataCache({
    service: 'search',
    namespace: 'amadeus-hotel-list',
    keyPrefix: `${config.REDIS_KEY_PREFIX}:cache`,
    redis,
    logger,
    l1TtlMs: 60 * 60_000,
    l1MaxEntries: 500,
  });
  return {
    provider: createAmadeusProvider(client, hotelLists, config.SEARCH_HOTEL_LIST_TTL_SECONDS),
    close: () => hotelLists.close(),
  };
}

/** The search subgraph: flights and hotels through Amadeus (or the demo provider), cached. */
export const searchService: ServiceDefinition<SearchConfig> = {
  name: 'search',
  schema: 'search',
  defaultPort: 4003,
  portVariable: 'SEARCH_PORT',
  configSchema: searchConfigSchema,
  migrations,

  async create(runtime) {
    const db = runtime.db as Kysely<Database>;
    const readDb = runtime.readDb as Kysely<Database>;
    const { config, logger, redis } = runtime;
    const cacheOptions = {
      service: 'search',
      keyPrefix: `${config.REDIS_KEY_PREFIX}:cache`,
      redis,
      logger,
      l1TtlMs: config.SEARCH_L1_TTL_MS,
      l1MaxEntries: config.SEARCH_L1_MAX_ENTRIES,
    };
    const flights = createDataCache({ ...cacheOptions, namespace: 'flights' });
    const hotels = createDataCache({ ...cacheOptions, namespace: 'hotels' });
    const { provider, close: closeProvider } = createProvider(runtime);
    const searchLog = createSearchLogWriter({
      db,
      logger,
      flushIntervalMs: config.SEARCH_LOG_FLUSH_MS,
      batchSize: config.SEARCH_LOG_BATCH_SIZE,
      maxBuffered: config.SEARCH_LOG_MAX_BUFFERED,
    });
    const search = createSearchService({
      provider,
      flights,
      hotels,
      searchLog,
      ttlSeconds: config.SEARCH_CACHE_TTL_SECONDS,
      staleTtlSeconds: config.SEARCH_STALE_TTL_SECONDS,
    });
    const warming = createCacheWarming({
      db,
      search,
      logger,
      redis,
      lockKey: `${config.REDIS_KEY_PREFIX}:search:cache-warming:lock`,
      intervalMs: config.SEARCH_WARM_INTERVAL_MS,
      top: config.SEARCH_WARM_TOP,
      lookbackDays: config.SEARCH_WARM_LOOKBACK_DAYS,
    });
    warming.start();

    const server = await createServiceServer(runtime, {
      typeDefs,
      resolvers,
      createContext: ({ identity }) => createContext({ db, readDb, search }, identity),
    });
    return {
      server,
      stop: async () => {
        await warming.stop();
        // After the server drained: every search it served reaches the log.
        await searchLog.close();
        await Promise.all([flights.close(), hotels.close(), closeProvider()]);
      },
    };
  },
};
