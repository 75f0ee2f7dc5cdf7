import {
  createRedis,
  createServiceDatabases,
  migrateSchema,
  pingRedis,
  type DatabaseOptions,
  type Health,
  type Logger,
  type Redis,
} from '@traveloure/platform';
import type { Kysely } from 'kysely';
import type { GatewayConfig } from '../config.ts';
import { createGatewayResponseCache } from '../response-cache/index.ts';
import { createApiKeyStore, type GatewayDatabase } from './api-keys.ts';
import { createAuthenticator } from './auth.ts';
import { ensureExplorerBuilt } from './explorer.ts';
import { gatewayMigrations } from './migrations/index.ts';
import { TrustedDocuments } from './persisted.ts';
import { createEdgeRateLimiter } from './rate-limit.ts';

/**
 * The gateway's own database (schema `gateway`, partner keys), migrated on start. `npm run
 * migrate` can pass the shared embedded PGlite and `down-all` to roll the schema back.
 */
export async function openGatewayDatabase(
  config: GatewayConfig,
  logger?: Logger,
  options: Pick<DatabaseOptions, 'pglite'> & { direction?: 'latest' | 'down-all' } = {},
) {
  const { primary } = await createServiceDatabases<GatewayDatabase>('gateway', config, {
    pglite: options.pglite,
  });
  await migrateSchema(primary.db as Kysely<any>, 'gateway', gatewayMigrations, logger, options.direction);
  return primary;
}

/**
 * Gives Redis a moment to connect, so the first requests count in Redis rather than in the
 * in-process insurance limiter; if it does not come up, the gateway starts degraded anyway.
 */
async function waitUntilReady(redis: Redis, timeoutMs: number) {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
    function done() {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    }
  });
}

/**
 * What the edge's steps share, opened once: the database of partner keys, Redis (rate limits,
 * APQ, cache invalidations), the trusted documents, the authenticator, the rate limiter and the
 * caches. The steps themselves are listed in pipeline.ts.
 */
export async function openEdgeResources(options: { config: GatewayConfig; logger: Logger; health: Health }) {
  const { config, logger, health } = options;
  const database = await openGatewayDatabase(config, logger);
  // The API-key store: without it no partner key can be checked.
  health.register('database', () => database.ping(), { critical: true });
  const redis: Redis | undefined = config.REDIS_URL ? createRedis(config.REDIS_URL, logger) : undefined;
  if (redis) {
    health.register('redis', () => pingRedis(redis), { critical: false });
    await waitUntilReady(redis, 2_000);
  }

  const documents = TrustedDocuments.load(config.PERSISTED_OPERATIONS_PATH, logger);
  const apiKeys = createApiKeyStore(database.db, { cacheTtlMs: config.API_KEY_CACHE_TTL_MS, logger });
  const authenticator = createAuthenticator(config, apiKeys);
  const rateLimiter = createEdgeRateLimiter({
    settings: {
      windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
      anonymous: config.RATE_LIMIT_ANONYMOUS,
      user: config.RATE_LIMIT_USER,
      apiKeyDefault: config.API_KEY_DEFAULT_RATE_LIMIT,
    },
    redis,
    logger,
    apiKeyLimit: (identity) => (identity.apiKey ? apiKeys.limitOf(identity.apiKey.id) : undefined),
  });
  const responseCache =
    config.RESPONSE_CACHE_ENABLED || config.SUBGRAPH_FETCH_CACHE_ENABLED
      ? createGatewayResponseCache({ config, redis, logger, limiter: rateLimiter })
      : undefined;
  if (config.EXPLORER_ENABLED) {
    // The explorer is a convenience: a bundle that cannot be built must not keep the API down.
    await ensureExplorerBuilt(logger).catch((error: unknown) =>
      logger.error({ err: error }, 'schema explorer could not be bundled; GET / will not work'),
    );
  }

  return {
    redis,
    documents,
    authenticator,
    rateLimiter,
    responseCache,
    async close() {
      responseCache?.close();
      redis?.disconnect();
      await database.close();
    },
  };
}

export type EdgeResources = Awaited<ReturnType<typeof openEdgeResources>>;
