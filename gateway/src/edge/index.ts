import type { ApolloServer, ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type express from 'express';
import type { GraphQLSchema } from 'graphql';
import {
  createRedis,
  createServiceDatabases,
  jsonErrorHandler,
  migrateSchema,
  notFoundHandler,
  mountLabel,
  pingRedis,
  type DatabaseOptions,
  type Health,
  type Logger,
  type Redis,
} from '@traveloure/platform';
import type { Kysely } from 'kysely';
import type { GatewayConfig } from '../config.ts';
import type { GatewayContext } from '../signed-data-source.ts';
import { analyticsRouter } from './analytics.ts';
import { createApiKeyStore, type GatewayDatabase } from './api-keys.ts';
import { createAuthenticator } from './auth.ts';
import { ensureExplorerBuilt, explorerRouter, publicSchemaSdl } from './explorer.ts';
import { explorerApiRouter } from './explorer-api.ts';
import {
  authenticationMiddleware,
  corsAllowlist,
  graphqlOverHttpStatusPlugin,
  jsonBody,
  securityHeaders,
  trustProxySetting,
} from './http.ts';
import {
  armorOptions,
  limitErrorCodesPlugin,
  operationPolicyPlugin,
  type OperationLimits,
} from './limits.ts';
import { gatewayMigrations } from './migrations/index.ts';
import {
  createApqCache,
  persistedQueriesPlugin,
  persistedQueryShapeMiddleware,
  safelistMiddleware,
  TrustedDocuments,
} from './persisted.ts';
import { createEdgeRateLimiter, rateLimitMiddleware, rateLimitPlugin } from './rate-limit.ts';
import { createGatewayResponseCache } from '../response-cache/index.ts';

export * from './api-keys.ts';
export * from './auth.ts';
export * from './config.ts';
export * from './limits.ts';
export * from './persisted.ts';
export * from './scopes.ts';
export { gatewayMigrations } from './migrations/index.ts';

export function operationLimitsOf(config: GatewayConfig): OperationLimits {
  return {
    maxDepth: config.MAX_DEPTH,
    maxAliases: config.MAX_ALIASES,
    maxDirectives: config.MAX_DIRECTIVES,
    maxTokens: config.MAX_TOKENS,
    maxCost: config.MAX_COST,
    maxListSize: config.MAX_LIST_SIZE,
    maxListCost: config.MAX_LIST_COST,
    fieldSuggestions: config.FIELD_SUGGESTIONS ?? config.NODE_ENV === 'development',
    introspectionPublic: config.INTROSPECTION_PUBLIC || config.NODE_ENV === 'development',
  };
}

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
 * Everything the edge adds to the gateway core: identity (JWT and partner keys), rate limits,
 * operation limits, persisted queries, the analytics endpoint and the schema explorer.
 */
export async function createEdge(options: { config: GatewayConfig; logger: Logger; health: Health }) {
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
  const limits = operationLimitsOf(config);
  const armor = armorOptions(limits);
  if (config.EXPLORER_ENABLED) {
    // The explorer is a convenience: a bundle that cannot be built must not keep the API down.
    await ensureExplorerBuilt(logger).catch((error: unknown) =>
      logger.error({ err: error }, 'schema explorer could not be bundled; GET / will not work'),
    );
  }

  let schemaSdl: string | undefined;
  let supergraphSdl: string | undefined;
  let server: ApolloServer<GatewayContext> | undefined;
  const authenticate = authenticationMiddleware(authenticator, logger, rateLimiter);
  const rateLimit = rateLimitMiddleware(rateLimiter);
  const responseCache =
    config.RESPONSE_CACHE_ENABLED || config.SUBGRAPH_FETCH_CACHE_ENABLED
      ? createGatewayResponseCache({ config, redis, logger, limiter: rateLimiter })
      : undefined;

  const plugins: ApolloServerPlugin<GatewayContext>[] = [
    ...armor.plugins,
    operationPolicyPlugin(limits),
    rateLimitPlugin(rateLimiter),
    persistedQueriesPlugin(documents),
    limitErrorCodesPlugin(),
    graphqlOverHttpStatusPlugin(),
    ...(responseCache?.plugin ? [responseCache.plugin] : []),
    // Browsers opening /graphql get our explorer (explorer.ts); Apollo's landing page loads its
    // sandbox from a CDN, which the CSP rightly blocks.
    ApolloServerPluginLandingPageDisabled(),
  ];

  return {
    documents,
    /** Spread into the ApolloServer options (plugins go with the core's own). */
    apolloOptions: {
      validationRules: armor.validationRules,
      parseOptions: armor.parseOptions,
      allowBatchedHttpRequests: armor.allowBatchedHttpRequests,
      hideSchemaDetailsFromClientErrors: armor.hideSchemaDetailsFromClientErrors,
      // Open at the protocol level; operationPolicyPlugin decides who may introspect.
      introspection: true,
      csrfPrevention: true,
      // The process owns shutdown (installShutdown); Apollo's own signal handlers would re-raise
      // SIGTERM once the server stopped and turn a clean stop into exit code 1.
      stopOnTerminationSignals: false,
      persistedQueries: {
        ttl: config.APQ_TTL_SECONDS || null,
        ...(redis ? { cache: createApqCache(redis, { logger }) } : {}),
      },
    } satisfies Partial<ApolloServerOptions<GatewayContext>>,
    plugins,
    /** Set the server once made: the analytics endpoint runs operations through it. */
    attachServer(apollo: ApolloServer<GatewayContext>) {
      server = apollo;
    },
    /** For gateway.onSchemaLoadOrUpdate: keeps /schema.graphql current. */
    onSchema({ apiSchema, coreSupergraphSdl }: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) {
      schemaSdl = publicSchemaSdl(apiSchema);
      supergraphSdl = coreSupergraphSdl;
      responseCache?.onSupergraph(coreSupergraphSdl);
    },
    responseCache,
    /** For `app.set('trust proxy', ...)`. */
    trustProxy: trustProxySetting(config.TRUST_PROXY),
    /** Mounted last: JSON 404 for unknown paths, JSON errors with the request id for failures outside GraphQL. */
    errorHandler: [notFoundHandler(), jsonErrorHandler({ service: 'gateway', logger })],
    /** App-wide: security headers and CORS. */
    httpMiddleware: [securityHeaders(), corsAllowlist(config.CORS_ORIGINS)],
    /** Before Apollo's /graphql handler: identity, rate limit, body, persisted query shape, safelist. */
    graphqlMiddleware: [
      authenticate,
      rateLimit,
      jsonBody({ limitBytes: config.BODY_LIMIT_BYTES, maxDepth: config.JSON_MAX_DEPTH }),
      persistedQueryShapeMiddleware(),
      safelistMiddleware(documents, config.PERSISTED_QUERIES_MODE),
      ...(responseCache?.middleware ? [responseCache.middleware] : []),
    ],
    /** GET /, /explorer/*, /schema.graphql and /analytics/*. */
    mountRoutes(app: express.Express) {
      app.use(
        explorerApiRouter({
          config,
          supergraphSdl: () => supergraphSdl,
          authenticate,
          rateLimit,
          jsonBody: jsonBody({ limitBytes: config.BODY_LIMIT_BYTES, maxDepth: config.JSON_MAX_DEPTH }),
          validationRules: armor.validationRules,
        }),
      );
      app.use(
        explorerRouter({
          enabled: config.EXPLORER_ENABLED,
          development: config.NODE_ENV === 'development',
          documents,
          schemaSdl: () => schemaSdl,
        }),
      );
      app.use(
        '/analytics',
        mountLabel('/analytics'),
        authenticate,
        rateLimit,
        analyticsRouter({
          documents,
          server: () => {
            if (!server) throw new Error('analytics: gateway server not attached');
            return server;
          },
        }),
      );
    },
    async close() {
      responseCache?.close();
      redis?.disconnect();
      await database.close();
    },
  };
}

export type Edge = Awaited<ReturnType<typeof createEdge>>;
