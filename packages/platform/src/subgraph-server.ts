import {
  ApolloServer,
  type ApolloServerPlugin,
  type GraphQLRequestContextWillSendResponse,
} from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import express, { type Request } from 'express';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { gql } from 'graphql-tag';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { BaseConfig } from './config.ts';
import { codedError, createErrorFormatter, ErrorCode, isDependencyUnavailable } from './errors.ts';
import type { Health } from './health.ts';
import {
  createHttpServer,
  defaultHttpLimits,
  httpLimitsOf,
  jsonBody,
  jsonErrorHandler,
  notFoundHandler,
  type HttpLimits,
  type HttpLimitsConfig,
} from './http-hardening.ts';
import {
  accessLogMiddleware,
  mountLabel,
  operationalRoutes,
  requestIdMiddleware,
  sendGraphQLError,
} from './http.ts';
import { IDENTITY_HEADER, verifyIdentity, IdentityVerificationError, type Identity } from './identity.ts';
import { graphqlMetricsPlugin } from './graphql-metrics.ts';
import { metricsScope } from './metrics.ts';
import { rejectNulCharactersPlugin } from './nul-characters.ts';
import { runWithRequestContext } from './request-context.ts';
import { operationNameOnRequestContextPlugin, reportError } from './sentry.ts';

export interface SubgraphServerOptions<TContext extends object> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<any>;
  logger: Logger;
  health: Health;
  signingSecret: string;
  /** Builds the per-request context (loaders etc.) for a verified identity. */
  createContext(args: { req: Request; identity: Identity }): Promise<TContext> | TContext;
  /** Schema directives applied after the subgraph schema is built (e.g. @rateLimit). */
  transformSchema?: (schema: GraphQLSchema) => GraphQLSchema;
  plugins?: ApolloServerPlugin<TContext & BaseContext>[];
  /** Extra HTTP routes (mounted before /graphql). */
  routes?: (app: express.Express) => void;
  /** Called after the server stopped taking requests: close pools, queues, timers. */
  onShutdown?: () => Promise<void>;
  /** SHUTDOWN_GRACE_MS: bounds how long close() waits for in-flight requests (see drainGraceMs). */
  shutdownGraceMs?: number;
  /** Largest request body (bytes, or a size such as '2mb'). */
  bodyLimit?: number | string;
  /** Timeouts, header size and JSON depth (httpLimitsOf(config)); the defaults otherwise. */
  httpLimits?: HttpLimits;
}

/**
 * In-flight requests get most of SHUTDOWN_GRACE_MS; the rest is left for closing pools and
 * queues before installShutdown's deadline forces the exit. Apollo's 10 s default otherwise.
 */
export function drainGraceMs(shutdownGraceMs: number | undefined): number | undefined {
  return shutdownGraceMs === undefined ? undefined : Math.floor(shutdownGraceMs * 0.8);
}

/**
 * The request id on every error of a response. The error formatter finds it in the request
 * context when that is tracked; otherwise it is added here, from the GraphQL context.
 */
function requestIdOnErrorsPlugin(): ApolloServerPlugin<BaseContext> {
  const hooks = {
    async willSendResponse({ response, contextValue }: GraphQLRequestContextWillSendResponse<BaseContext>) {
      if (response.body.kind !== 'single') return;
      const errors = response.body.singleResult.errors;
      const requestId = contextValue.requestId;
      if (!errors || !requestId) return;
      response.body.singleResult.errors = errors.map((error) =>
        error.extensions?.requestId ? error : { ...error, extensions: { ...error.extensions, requestId } },
      );
    },
  };
  return { requestDidStart: async () => hooks };
}

/** A context that could not be built, as a coded error that carries the request id. */
function contextFailure(
  error: unknown,
  requestId: string,
  options: Pick<SubgraphServerOptions<object>, 'logger' | 'name'>,
): GraphQLError {
  if (error instanceof GraphQLError && typeof error.extensions.code === 'string') {
    return new GraphQLError(error.message, { extensions: { ...error.extensions, requestId } });
  }
  if (isDependencyUnavailable(error)) {
    return codedError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      'A service this request needs is unavailable right now; try again shortly.',
      { requestId },
    );
  }
  options.logger.error({ err: error, requestId }, 'could not build the request context');
  reportError(error, { service: options.name, requestId });
  return codedError(
    ErrorCode.INTERNAL_SERVER_ERROR,
    'Something went wrong on our side. Quote the request id when you report it.',
    { requestId },
  );
}

/** What every subgraph context carries. */
export interface BaseContext {
  identity: Identity;
  requestId: string;
  logger: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  httpServer: http.Server;
  close(): Promise<void>;
}

export interface SubgraphServer {
  app: express.Express;
  /** `metricsOnMainPort: false` when /metrics is served on a port of its own (serveMetrics). */
  listen(port: number, host?: string, options?: { metricsOnMainPort?: boolean }): Promise<RunningServer>;
}

/**
 * Apollo Server 5 + buildSubgraphSchema behind express with the operational routes every
 * service has. /graphql accepts only calls carrying the gateway's signed identity header.
 */
export async function createSubgraphServer<TContext extends object>(
  options: SubgraphServerOptions<TContext>,
): Promise<SubgraphServer> {
  const app = express();
  app.disable('x-powered-by');
  const limits = options.httpLimits ?? defaultHttpLimits;
  const httpServer = createHttpServer(app, { service: options.name, limits, logger: options.logger });
  let schema = buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers });
  if (options.transformSchema) schema = options.transformSchema(schema);

  const server = new ApolloServer<TContext & BaseContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // installShutdown owns SIGTERM/SIGINT: readiness first, then drain, then exit 0.
    stopOnTerminationSignals: false,
    formatError: createErrorFormatter({
      onInternalError: (error) => {
        options.logger.error({ err: error }, 'unexpected resolver error');
        reportError(error, { service: options.name });
      },
    }),
    plugins: [
      ApolloServerPluginDrainHttpServer({
        httpServer,
        stopGracePeriodMillis: drainGraceMs(options.shutdownGraceMs),
      }),
      // No Apollo Studio: federated traces would only cost time on every request.
      ApolloServerPluginInlineTraceDisabled(),
      rejectNulCharactersPlugin(),
      requestIdOnErrorsPlugin(),
      operationNameOnRequestContextPlugin(),
      graphqlMetricsPlugin({ service: options.name }),
      ...(options.plugins ?? []),
    ],
  });
  await server.start();

  app.use(requestIdMiddleware());
  app.use(accessLogMiddleware(options.name, options.logger));
  // Decided when listening: startService moves /metrics to its own port in production.
  let metricsOnMainPort = true;
  // In a process hosting several services (`npm start`) each port answers for its own service.
  const scope = metricsScope(options.name);
  app.use(operationalRoutes(options.health, { metrics: () => metricsOnMainPort, scope }));
  options.routes?.(app);

  app.use(
    '/graphql',
    mountLabel('/graphql'),
    async (req, res, next) => {
      if (options.health.isShuttingDown) {
        res.setHeader('connection', 'close');
      }
      try {
        const header = req.headers[IDENTITY_HEADER];
        const identity = await verifyIdentity(
          Array.isArray(header) ? header[0] : header,
          options.signingSecret,
          options.name,
        );
        res.locals.identity = identity;
        // The gateway's request id wins so one id follows the request across services.
        req.requestId = identity.requestId;
        res.setHeader('x-request-id', identity.requestId);
        runWithRequestContext(
          {
            requestId: identity.requestId,
            identity,
            traceparent: req.headers.traceparent as string | undefined,
          },
          () => next(),
        );
      } catch (error) {
        if (!(error instanceof IdentityVerificationError)) return next(error);
        options.logger.warn({ reason: error.message, ip: req.ip }, 'refused unsigned subgraph call');
        sendGraphQLError(
          res,
          401,
          ErrorCode.UNAUTHENTICATED,
          'This service only accepts calls from the gateway.',
          req.requestId,
        );
      }
    },
    jsonBody({ limit: options.bodyLimit ?? '2mb', maxDepth: limits.maxJsonDepth }),
    expressMiddleware(server, {
      context: async ({ req, res }) => {
        const identity = res.locals.identity as Identity;
        let context: TContext & BaseContext;
        try {
          context = (await options.createContext({ req, identity })) as TContext & BaseContext;
        } catch (error) {
          // Apollo answers a failed context without running request plugins: the request id
          // must already be on the error.
          throw contextFailure(error, identity.requestId, options);
        }
        context.identity = identity;
        context.requestId = identity.requestId;
        // Most requests log nothing: the child logger is made when a resolver first asks for it.
        let logger: Logger | undefined;
        Object.defineProperty(context, 'logger', {
          get: () => (logger ??= options.logger.child({ requestId: identity.requestId })),
          enumerable: true,
          configurable: true,
        });
        return context;
      },
    }),
  );
  app.use(notFoundHandler(), jsonErrorHandler({ service: options.name, logger: options.logger }));

  return {
    app,
    listen: (port, host = '0.0.0.0', listenOptions = {}) =>
      new Promise<RunningServer>((resolve, reject) => {
        metricsOnMainPort = listenOptions.metricsOnMainPort ?? true;
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          const url = `http://127.0.0.1:${address.port}/graphql`;
          options.logger.info({ url }, `${options.name} subgraph listening`);
          resolve({
            url,
            port: address.port,
            httpServer,
            close: async () => {
              // Readiness turns 503 first so load balancers stop sending, then in-flight
              // requests drain (ApolloServerPluginDrainHttpServer), then resources close.
              options.health.markShuttingDown();
              await server.stop();
              scope.release();
              await options.onShutdown?.();
            },
          });
        });
      }),
  };
}

/** What a subgraph's server takes from the service's runtime (a ServiceRuntime has all of it). */
export interface SubgraphServerRuntime {
  name: string;
  config: Pick<BaseConfig, 'GATEWAY_SIGNING_SECRET' | 'SHUTDOWN_GRACE_MS'> & HttpLimitsConfig;
  logger: Logger;
  health: Health;
}

/** The options that are a subgraph's own; `resolvers` is its codegen `Resolvers` map. */
export type ServiceServerOptions<TContext extends object> = Omit<
  SubgraphServerOptions<TContext>,
  'name' | 'logger' | 'health' | 'signingSecret' | 'shutdownGraceMs' | 'httpLimits' | 'resolvers'
> & { resolvers: object };

/**
 * A subgraph's server on its runtime: the name, logger and readiness are the service's, and the
 * gateway's signing secret, the shutdown grace and the HTTP limits come from its settings.
 */
export function createServiceServer<TContext extends object>(
  runtime: SubgraphServerRuntime,
  options: ServiceServerOptions<TContext>,
): Promise<SubgraphServer> {
  return createSubgraphServer<TContext>({
    ...options,
    name: runtime.name,
    // Codegen types each resolver with the subgraph's parent and context types, which Apollo's
    // map of untyped resolvers does not name.
    resolvers: options.resolvers as GraphQLResolverMap<any>,
    logger: runtime.logger,
    health: runtime.health,
    signingSecret: runtime.config.GATEWAY_SIGNING_SECRET,
    shutdownGraceMs: runtime.config.SHUTDOWN_GRACE_MS,
    httpLimits: httpLimitsOf(runtime.config),
  });
}

/** A subgraph's SDL from its file, e.g. `readTypeDefs(new URL('./schema.graphql', import.meta.url))`. */
export function readTypeDefs(file: URL): DocumentNode {
  return gql(readFileSync(file, 'utf8'));
}
