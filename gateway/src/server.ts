import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  accessLogMiddleware,
  createErrorFormatter,
  ErrorCode,
  Health,
  operationalRoutes,
  reportError,
  requestIdMiddleware,
  runWithRequestContext,
  sendGraphQLError,
  type Identity,
  type Logger,
} from '@traveloure/platform';
import { authenticateBearer, AuthenticationError } from './authentication.ts';
import type { GatewayConfig } from './config.ts';
import { SignedDataSource, type GatewayContext } from './signed-data-source.ts';
import { readSupergraph, subgraphsOf } from './supergraph.ts';

export interface GatewayOptions {
  config: GatewayConfig;
  logger: Logger;
  /** The composed supergraph; read from SUPERGRAPH_PATH or schema/supergraph.graphql if absent. */
  supergraphSdl?: string;
  /** Subgraph URL overrides by name (tests and the embedded launcher use free ports). */
  subgraphUrls?: Record<string, string>;
  /** Extra Apollo Server plugins (edge limits, persisted queries ...). */
  plugins?: ApolloServerPlugin<GatewayContext>[];
}

export interface RunningGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

const urlVariables: Record<string, keyof GatewayConfig> = {
  trip: 'TRIP_URL',
  ai: 'AI_URL',
  search: 'SEARCH_URL',
  notification: 'NOTIFICATION_URL',
};

export function resolveSubgraphUrls(options: GatewayOptions, supergraphSdl: string) {
  return Object.fromEntries(
    subgraphsOf(supergraphSdl).map(({ name, url }) => {
      const variable = urlVariables[name];
      const configured = variable ? (options.config[variable] as string | undefined) : undefined;
      return [name, options.subgraphUrls?.[name] ?? configured ?? url];
    }),
  );
}

/** The edge: one GraphQL endpoint over the subgraphs, plus health and metrics. */
export async function createGateway(options: GatewayOptions) {
  const { config, logger } = options;
  const supergraphSdl = options.supergraphSdl ?? readSupergraph(config.SUPERGRAPH_PATH);
  const subgraphUrls = resolveSubgraphUrls(options, supergraphSdl);

  const health = new Health(config.SERVICE_VERSION);
  for (const [name, url] of Object.entries(subgraphUrls)) {
    const readyUrl = url.replace(/\/graphql\/?$/, '') + '/health/ready';
    health.register(`subgraph:${name}`, async () => {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1_500) });
      if (!response.ok) return { status: 'down', detail: `HTTP ${response.status}` };
      const report = (await response.json()) as { status?: string };
      return { status: report.status === 'ok' ? 'up' : 'degraded', detail: report.status };
    });
  }

  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new SignedDataSource({
        name,
        url: subgraphUrls[name] ?? url!,
        signingSecret: config.GATEWAY_SIGNING_SECRET,
        timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
      }),
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const httpServer = http.createServer(app);

  const server = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    introspection: config.NODE_ENV !== 'production',
    formatError: createErrorFormatter({
      onInternalError: (error) => {
        logger.error({ err: error }, 'unexpected gateway error');
        reportError(error, { service: 'gateway' });
      },
    }),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ...(options.plugins ?? [])],
  });
  await server.start();

  app.use(requestIdMiddleware());
  app.use(accessLogMiddleware('gateway', logger));
  app.use(operationalRoutes(health));

  app.use(
    '/graphql',
    async (req, res, next) => {
      let user: Identity['user'];
      try {
        user = await authenticateBearer(req.headers.authorization, config);
      } catch (error) {
        if (!(error instanceof AuthenticationError)) return next(error);
        res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
        return sendGraphQLError(res, 401, ErrorCode.UNAUTHENTICATED, error.message, req.requestId);
      }
      const identity: Identity = { requestId: req.requestId, ip: req.ip, ...(user ? { user } : {}) };
      res.locals.identity = identity;
      runWithRequestContext(
        { requestId: req.requestId, identity, traceparent: req.headers.traceparent as string | undefined },
        () => next(),
      );
    },
    express.json({ limit: '1mb' }),
    expressMiddleware(server, {
      context: async ({ req, res }) => ({
        identity: res.locals.identity as Identity,
        requestId: req.requestId,
        traceparent: req.headers.traceparent as string | undefined,
      }),
    }),
  );

  return {
    app,
    health,
    listen: (port: number, host = '0.0.0.0') =>
      new Promise<RunningGateway>((resolvePromise, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          const url = `http://127.0.0.1:${address.port}/graphql`;
          logger.info({ url, subgraphs: subgraphUrls }, 'gateway listening');
          resolvePromise({
            url,
            port: address.port,
            close: async () => {
              health.markShuttingDown();
              await server.stop();
            },
          });
        });
      }),
  };
}
