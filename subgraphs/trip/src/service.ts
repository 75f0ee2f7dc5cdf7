import type { Kysely } from 'kysely';
import {
  createServiceServer,
  readTypeDefs,
  reportBackgroundFailure,
  startOutboxRelay,
  type ServiceDefinition,
} from '@traveloure/platform';
import { tripConfigSchema, type TripConfig } from './config.ts';
import { createContext } from './context.ts';
import { recentlyProvisioned } from './users/provisioning.ts';
import type { Database } from './db/database.ts';
import { migrations } from './db/migrations/index.ts';
import { refreshPopularity } from './db/popularity.repository.ts';
import { seed } from './db/seed/index.ts';
import { resolvers } from './resolvers/index.ts';
import { createTripCaches } from './cache.ts';
import { createLoaderSources } from './loaders.ts';
import { tripRegions, tripRegionsOf } from './regions/regions.ts';

export const typeDefs = readTypeDefs(new URL('./schema.graphql', import.meta.url));

/** The trip subgraph: users, destinations, trips and itineraries in the `trip` schema. */
export const tripService: ServiceDefinition<TripConfig> = {
  name: 'trip',
  schema: 'trip',
  defaultPort: 4001,
  portVariable: 'TRIP_PORT',
  configSchema: tripConfigSchema,
  migrations,
  // DATABASE_URL_<REGION>: each region's users, trips and items may be in a database of its own.
  regions: tripRegions,
  seed,

  async create(runtime) {
    const db = runtime.db as Kysely<Database>;
    const readDb = runtime.readDb as Kysely<Database>;
    const regions = tripRegionsOf(runtime.regional, db);
    const { config, logger } = runtime;

    // The popularity view is refreshed on each primary (replicas follow it) in the background;
    // CONCURRENTLY, so analytics reading it are never blocked.
    const refresh = async () => {
      for (const database of regions.databases) {
        try {
          await refreshPopularity(database.db);
        } catch (error) {
          logger.warn(
            { err: error, regions: database.regions },
            'destination popularity refresh failed; will retry',
          );
          reportBackgroundFailure(error, 'trip/popularity-refresh');
        }
      }
    };
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<void> | undefined;
    if (config.TRIP_POPULARITY_REFRESH_MS > 0) {
      running = refresh();
      timer = setInterval(() => {
        running = refresh();
      }, config.TRIP_POPULARITY_REFRESH_MS);
      timer.unref();
    }

    const caches = createTripCaches({
      redis: runtime.redis,
      logger,
      keyPrefix: `${runtime.config.REDIS_KEY_PREFIX}:cache`,
    });
    const provisioned = recentlyProvisioned();
    const sources = createLoaderSources(regions, caches);

    // Publishes trip.outbox (user and trip events) to the event queues of the services that keep
    // a projection of them; each must acknowledge every event. An event is written in the same
    // transaction as its change, so in the region's database: one relay per database.
    const relays = regions.databases.map((database) =>
      startOutboxRelay({ ...runtime, db: database.db }, 'trip', { consumers: ['notification', 'ai'] }),
    );

    const server = await createServiceServer(runtime, {
      typeDefs,
      resolvers,
      createContext: ({ identity }) =>
        createContext({ db, readDb, regions, config, logger, caches, sources, provisioned }, identity),
    });
    return {
      server,
      stop: async () => {
        if (timer) clearInterval(timer);
        await running;
        await Promise.all(relays.map((relay) => relay.stop()));
        await caches.close();
      },
    };
  },
};
