import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { AddressInfo } from 'node:net';
import {
  accessLogMiddleware,
  createErrorFormatter,
  createHttpServer,
  drainGraceMs,
  graphqlMetricsPlugin,
  Health,
  httpLimitsOf,
  metricsPortOf,
  metricsScope,
  mountLabel,
  operationalRoutes,
  serveMetrics,
  reportError,
  requestIdMiddleware,
  type Identity,
  type Logger,
} from '@traveloure/platform';
import type { GatewayConfig } from './config.ts';
import { createEdge } from './edge/index.ts';
import { TrustedDocuments } from './edge/persisted.ts';
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
  /** Set when /metrics has a port of its own (METRICS_PORT; always in production). */
  metricsUrl?: string;
  close(): Promise<void>;
}

export function resolveSubgraphUrls(options: GatewayOptions, supergraphSdl: string) {
  return Object.fromEntries(
    subgraphsOf(supergraphSdl).map(({ name, url }) => [
      name,
      options.subgraphUrls?.[name] ?? options.config.subgraphUrls[name] ?? url,
    ]),
  );
}

/** The edge: one GraphQL endpoint over the subgraphs, plus health and metrics. */
export async function createGateway(options: GatewayOptions) {
  const { config, logger } = options;
  const supergraphSdl = options.supergraphSdl ?? readSupergraph(config.SUPERGRAPH_PATH);
  const subgraphUrls = resolveSubgraphUrls(options, supergraphSdl);

  const health = new Health(config.SERVICE_VERSION, 'gateway');
  // A subgraph that is down only fails the fields it serves (UPSTREAM_UNAVAILABLE with their
  // paths); the gateway still serves the others. It shows here, but never makes the gateway
  // unready: every gateway replica shares the subgraph, so a 503 would take them all out.
  for (const [name, url] of Object.entries(subgraphUrls)) {
    const readyUrl = url.replace(/\/graphql\/?$/, '') + '/health/ready';
    health.register(
      `subgraph:${name}`,
      async () => {
        const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1_500) });
        if (!response.ok) return { status: 'down', detail: `HTTP ${response.status}` };
        const report = (await response.json()) as { status?: string };
        return { status: report.status === 'ok' ? 'up' : 'degraded', detail: report.status };
      },
      { critical: false },
    );
  }
  let supergraphLoaded = false;
  health.register(
    'supergraph',
    async () => (supergraphLoaded ? { status: 'up' } : { status: 'down', detail: 'no supergraph loaded' }),
    { critical: true },
  );

  const dataSources: SignedDataSource[] = [];
  const gateway = new ApolloGateway({
    supergraphSdl,
    // Each fetch carries its parsed operation, so the data sources read it (mutation or query,
    // what a cached answer holds) without parsing the text again.
    queryPlannerConfig: { exposeDocumentNodeInFetchNode: true },
    buildService: ({ name, url }) => {
      const dataSource = new SignedDataSource({
        name,
        url: subgraphUrls[name] ?? url!,
        signingSecret: config.GATEWAY_SIGNING_SECRET,
        timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
        fetchCache: () => edge.responseCache?.fetches,
      });
      dataSources.push(dataSource);
      return dataSource;
    },
  });

  // Identity, partner keys, rate and operation limits, persisted queries, explorer (edge/).
  const edge = await createEdge({ config, logger, health });
  gateway.onSchemaLoadOrUpdate((schema) => {
    supergraphLoaded = true;
    edge.onSchema(schema);
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', edge.trustProxy);
  const httpServer = createHttpServer(app, { service: 'gateway', limits: httpLimitsOf(config), logger });

  const server = new ApolloServer<GatewayContext>({
    gateway,
    ...edge.apolloOptions,
    includeStacktraceInErrorResponses: false,
    formatError: createErrorFormatter({
      onInternalError: (error) => {
        logger.error({ err: error }, 'unexpected gateway error');
        reportError(error, { service: 'gateway' });
      },
    }),
    plugins: [
      ApolloServerPluginDrainHttpServer({
        httpServer,
        stopGracePeriodMillis: drainGraceMs(config.SHUTDOWN_GRACE_MS),
      }),
      ...edge.plugins,
      // The manifest's operations always keep a series of their own (other names are capped).
      graphqlMetricsPlugin({
        service: 'gateway',
        knownOperations: TrustedDocuments.load().manifest.operations.map((operation) => operation.name),
      }),
      ...(options.plugins ?? []),
    ],
  });
  await server.start();
  edge.attachServer(server);

  app.use(requestIdMiddleware());
  app.use(accessLogMiddleware('gateway', logger));
  app.use(...edge.httpMiddleware);
  const metricsPort = metricsPortOf(config);
  const scope = metricsScope('gateway');
  app.use(operationalRoutes(health, { metrics: metricsPort === undefined, scope }));
  edge.mountRoutes(app);

  app.use(
    '/graphql',
    mountLabel('/graphql'),
    ...edge.graphqlMiddleware,
    expressMiddleware(server, {
      context: async ({ req, res }) => ({
        identity: res.locals.identity as Identity,
        requestId: req.requestId,
        traceparent: req.headers.traceparent as string | undefined,
      }),
    }),
  );
  app.use(edge.errorHandler);

  return {
    app,
    health,
    listen: async (port: number, host = '0.0.0.0') => {
      // Up before the public port, so /metrics is never answered there, not even briefly.
      const metrics =
        metricsPort === undefined ? undefined : await serveMetrics(metricsPort, config.METRICS_HOST);
      return new Promise<RunningGateway>((resolvePromise, reject) => {
        httpServer.once('error', (error) => {
          void metrics?.close();
          reject(error);
        });
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          const url = `http://127.0.0.1:${address.port}/graphql`;
          logger.info(
            { url, subgraphs: subgraphUrls, metrics: metrics?.url ?? 'on the gateway port' },
            'gateway listening',
          );
          resolvePromise({
            url,
            port: address.port,
            metricsUrl: metrics?.url,
            close: async () => {
              health.markShuttingDown();
              await server.stop();
              scope.release();
              await metrics?.close();
              await Promise.all(dataSources.map((dataSource) => dataSource.close()));
              await edge.close();
            },
          });
        });
      });
    },
  };
}
