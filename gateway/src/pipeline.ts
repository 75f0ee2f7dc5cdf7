/**
 * The gateway's request pipeline, top to bottom: the HTTP steps a request passes in the order
 * it meets them, then the Apollo Server plugins in the order their hooks run. Each step comes
 * from the module of its concern (edge/, response-cache/); server.ts only builds the gateway,
 * the Apollo server and the HTTP server from what is listed here. docs/gateway.md describes the
 * same flow for readers of the API.
 */
import type { Server } from 'node:http';
import type { ApolloServer, ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { GraphQLSchema } from 'graphql';
import {
  accessLogMiddleware,
  createErrorFormatter,
  drainGraceMs,
  graphqlMetricsPlugin,
  jsonErrorHandler,
  metricsPortOf,
  mountLabel,
  notFoundHandler,
  operationalRoutes,
  reportError,
  operationNameOnRequestContextPlugin,
  requestIdMiddleware,
  type Health,
  type Logger,
  type MetricsScope,
} from '@traveloure/platform';
import type { GatewayConfig } from './config.ts';
import { gatewayContextOf, type GatewayContext } from './context.ts';
import { analyticsRouter } from './edge/analytics.ts';
import { authenticationMiddleware } from './edge/auth.ts';
import { explorerApiRouter } from './edge/explorer-api.ts';
import { explorerRouter, publicSchemaSdl } from './edge/explorer.ts';
import { graphqlOverHttpStatusPlugin } from './edge/http-status.ts';
import { corsAllowlist, jsonBody, securityHeaders, trustProxySetting } from './edge/http.ts';
import {
  armorOptions,
  limitErrorCodesPlugin,
  listCostPlugin,
  operationLimitsOf,
} from './edge/operation-limits.ts';
import {
  apqOptions,
  persistedQueriesPlugin,
  persistedQueryShapeMiddleware,
  safelistMiddleware,
  TrustedDocuments,
} from './edge/persisted.ts';
import { operationPolicyPlugin } from './edge/policy.ts';
import { rateLimitMiddleware, rateLimitPlugin } from './edge/rate-limit.ts';
import { openEdgeResources } from './edge/resources.ts';

/** One `app.use`: handlers under a path (every path when absent). */
export interface HttpStep {
  path?: string;
  handlers: (RequestHandler | ErrorRequestHandler)[];
}

export async function createPipeline(options: {
  config: GatewayConfig;
  logger: Logger;
  health: Health;
  httpServer: Server;
  /** The gateway's own metric series, served by /metrics. */
  metricsScope: MetricsScope;
  /** Plugins a caller adds after the gateway's own. */
  extraPlugins?: ApolloServerPlugin<GatewayContext>[];
}) {
  const { config, logger, health, httpServer } = options;
  const edge = await openEdgeResources({ config, logger, health });
  const limits = operationLimitsOf(config);
  const armor = armorOptions(limits);
  const authenticate = authenticationMiddleware(edge.authenticator, logger, edge.rateLimiter);
  const rateLimit = rateLimitMiddleware(edge.rateLimiter);
  const body = jsonBody({ limitBytes: config.BODY_LIMIT_BYTES, maxDepth: config.JSON_MAX_DEPTH });
  // What the explorer serves: kept current by onSchema on every supergraph (re)load.
  let schemaSdl: string | undefined;
  let supergraphSdl: string | undefined;

  /** Apollo Server's plugins; for each hook (requestDidStart, didResolveOperation, willSendResponse) they run in this order. */
  const plugins: ApolloServerPlugin<GatewayContext>[] = [
    // Shutdown: stops taking connections and lets requests in flight finish within the grace period.
    ApolloServerPluginDrainHttpServer({
      httpServer,
      stopGracePeriodMillis: drainGraceMs(config.SHUTDOWN_GRACE_MS),
    }),
    // Operation limits (validation): GraphQL Armor's aliases, directives and structural cost.
    ...armor.plugins,
    // Policy (didResolveOperation): unrunnable operations, introspection rights, API-key scopes.
    // First, so a refusal here wins over the limits below.
    operationPolicyPlugin(limits),
    // Operation limits (didResolveOperation): list sizes and list cost, variables resolved.
    listCostPlugin(limits),
    // Rate limits (didResolveOperation): a point for every root field beyond the first.
    rateLimitPlugin(edge.rateLimiter),
    // Persisted queries (requestDidStart): manifest ids run as their trusted text without APQ
    // registration; only GET persisted queries may be cached by a CDN.
    persistedQueriesPlugin(edge.documents),
    // Operation limits (willSendResponse): parse and validation refusals relabelled
    // OPERATION_LIMIT_EXCEEDED. Before the status step, which reads the codes.
    limitErrorCodesPlugin(),
    // GraphQL over HTTP (willSendResponse): request errors answer 200 under application/json.
    graphqlOverHttpStatusPlugin(),
    // Response cache (willSendResponse): marks the answers the cache step in front may keep.
    ...(edge.responseCache?.plugin ? [edge.responseCache.plugin] : []),
    // Explorer: browsers opening /graphql get ours (explorer step below); Apollo's landing page
    // loads its sandbox from a CDN, which the CSP rightly blocks.
    ApolloServerPluginLandingPageDisabled(),
    // Metrics: operation duration and errors; the manifest's operations always keep a series of
    // their own (other names are capped).
    graphqlMetricsPlugin({
      service: 'gateway',
      knownOperations: TrustedDocuments.load().manifest.operations.map((operation) => operation.name),
    }),
    // Error reports name the operation that failed.
    operationNameOnRequestContextPlugin(),
    ...(options.extraPlugins ?? []),
  ];

  /** The Apollo Server options besides the gateway. */
  const apolloOptions = {
    plugins,
    // Operation limits at parse and validation: depth (counted with the schema), Armor's rules,
    // the parser's token limit; HTTP batching off; no field suggestions outside development.
    validationRules: armor.validationRules,
    parseOptions: armor.parseOptions,
    allowBatchedHttpRequests: armor.allowBatchedHttpRequests,
    hideSchemaDetailsFromClientErrors: armor.hideSchemaDetailsFromClientErrors,
    // Open at the protocol level; operationPolicyPlugin decides who may introspect.
    introspection: true,
    csrfPrevention: true,
    // Persisted queries: APQ registrations, in Redis when there is one.
    persistedQueries: apqOptions(config, edge.redis, logger),
    // The process owns shutdown (installShutdown); Apollo's own signal handlers would re-raise
    // SIGTERM once the server stopped and turn a clean stop into exit code 1.
    stopOnTerminationSignals: false,
    // Errors leave coded, with the request id; anything unexpected is logged and reported.
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter({
      onInternalError: (error) => {
        // A subgraph's coded INTERNAL_SERVER_ERROR never gets here: createErrorFormatter passes
        // it on, since the subgraph that raised it logged and reported it.
        logger.error({ err: error }, 'unexpected gateway error');
        reportError(error, { service: 'gateway' });
      },
    }),
  } satisfies Omit<ApolloServerOptions<GatewayContext>, 'gateway'>;

  /** The HTTP steps, in the order of `app.use`; `server` is the started Apollo server. */
  const httpSteps = (server: ApolloServer<GatewayContext>): HttpStep[] => [
    // Every request gets an id (x-request-id, or a new one) that every answer and log line carries.
    { handlers: [requestIdMiddleware()] },
    // One log line per request, with its status and duration.
    { handlers: [accessLogMiddleware('gateway', logger)] },
    // Security headers (CSP for the self-hosted explorer, HSTS) and CORS for CORS_ORIGINS.
    { handlers: [securityHeaders(), corsAllowlist(config.CORS_ORIGINS)] },
    // /health/live, /health/ready and /metrics (unless METRICS_PORT gives it a port of its own):
    // before identity, so probes and scrapers need no credentials and are never rate limited.
    {
      handlers: [
        operationalRoutes(health, {
          metrics: metricsPortOf(config) === undefined,
          scope: options.metricsScope,
        }),
      ],
    },
    // Explorer: POST /explorer/plan and /explorer/sign-in (identity and rate limit of their own),
    // then GET /, /explorer/* and /schema.graphql.
    {
      handlers: [
        explorerApiRouter({
          config,
          supergraphSdl: () => supergraphSdl,
          authenticate,
          rateLimit,
          jsonBody: body,
          validationRules: armor.validationRules,
        }),
        explorerRouter({
          enabled: config.EXPLORER_ENABLED,
          development: config.NODE_ENV === 'development',
          documents: edge.documents,
          schemaSdl: () => schemaSdl,
        }),
      ],
    },
    // Analytics: GET /analytics/<Operation> runs a manifest operation for analysts and admins,
    // after the same identity and rate limit as /graphql.
    {
      path: '/analytics',
      handlers: [
        mountLabel('/analytics'),
        authenticate,
        rateLimit,
        analyticsRouter({ documents: edge.documents, server: () => server }),
      ],
    },
    {
      path: '/graphql',
      handlers: [
        mountLabel('/graphql'),
        // Identity: JWT, partner API key or anonymous; a bad credential is a 401 (and costs a point).
        authenticate,
        // Rate limits: one point per request, before anything is parsed, so floods cost little.
        rateLimit,
        // Operation limits on the body: size and JSON depth; batches (JSON arrays) refused.
        body,
        // Persisted queries: a malformed extensions.persistedQuery is the client's 400.
        persistedQueryShapeMiddleware(),
        // Persisted queries: in safelist mode, callers bound to the manifest send only its operations.
        safelistMiddleware(edge.documents, config.PERSISTED_QUERIES_MODE),
        // Response cache: a repeated cacheable GET persisted query is answered here, after every
        // check above, before any parsing (it charges the extra root fields' points again).
        ...(edge.responseCache?.middleware ? [edge.responseCache.middleware] : []),
        // Apollo Server: parse, validate, the plugins above, plan, and the subgraph calls.
        expressMiddleware(server, { context: gatewayContextOf }),
      ],
    },
    // Last: a JSON 404 for unknown paths, JSON errors with the request id for failures outside GraphQL.
    { handlers: [notFoundHandler(), jsonErrorHandler({ service: 'gateway', logger })] },
  ];

  return {
    apolloOptions,
    httpSteps,
    /** For `app.set('trust proxy', ...)`: which proxies' x-forwarded-for gives the client address. */
    trustProxy: trustProxySetting(config.TRUST_PROXY),
    /** The subgraph fetch cache, below the planner (SignedDataSource), when on. */
    subgraphFetchCache: edge.responseCache?.fetches,
    /** For gateway.onSchemaLoadOrUpdate: keeps /schema.graphql and the cache's entity keys current. */
    onSchema({ apiSchema, coreSupergraphSdl }: { apiSchema: GraphQLSchema; coreSupergraphSdl: string }) {
      schemaSdl = publicSchemaSdl(apiSchema);
      supergraphSdl = coreSupergraphSdl;
      edge.responseCache?.onSupergraph(coreSupergraphSdl);
    },
    close: () => edge.close(),
  };
}

export type Pipeline = Awaited<ReturnType<typeof createPipeline>>;
