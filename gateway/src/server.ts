import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import express from 'express';
import type { AddressInfo } from 'node:net';
import {
  createHttpServer,
  Health,
  httpLimitsOf,
  metricsPortOf,
  metricsScope,
  serveMetrics,
  type Logger,
} from '@traveloure/platform';
import type { GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import { createPipeline } from './pipeline.ts';
import { SignedDataSource } from './signed-data-source.ts';
import { subgraphsOf, supergraphSource } from './supergraph.ts';

export interface GatewayOptions {
  config: GatewayConfig;
  logger: Logger;
  /** The composed supergraph; read from SUPERGRAPH_PATH or schema/supergraph.graphql if absent. */
  supergraphSdl?: string;
  /** Subgraph URL overrides by name (tests and the embedded launcher use free ports). */
  subgraphUrls?: Record<string, string>;
  /** Apollo Server plugins to run after the gateway's own (pipeline.ts). */
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
  // A supergraph handed in stays as it is; otherwise the file (or SUPERGRAPH_URL) is followed
  // and a change that builds is served without a restart (supergraph.ts).
  const supergraphSdl =
    options.supergraphSdl ??
    supergraphSource({
      path: config.SUPERGRAPH_PATH,
      url: config.SUPERGRAPH_URL,
      pollMs: config.SUPERGRAPH_POLL_MS,
      logger,
    });
  /** Where each subgraph is called, by name: the override, else the loaded supergraph's routing URL. */
  const subgraphUrls: Record<string, string> = {};
  const urlOf = (name: string, routingUrl: string) =>
    options.subgraphUrls?.[name] ?? config.subgraphUrls[name] ?? routingUrl;

  const health = new Health(config.SERVICE_VERSION, 'gateway');
  // A subgraph that is down only fails the fields it serves (UPSTREAM_UNAVAILABLE with their
  // paths); the gateway still serves the others. It shows here, but never makes the gateway
  // unready: every gateway replica shares the subgraph, so a 503 would take them all out.
  // Registered as each supergraph (re)load names a subgraph; each check reads the current URL.
  const registerSubgraphCheck = (name: string) =>
    health.register(
      `subgraph:${name}`,
      async () => {
        const readyUrl = subgraphUrls[name]!.replace(/\/graphql\/?$/, '') + '/health/ready';
        const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1_500) });
        if (!response.ok) return { status: 'down', detail: `HTTP ${response.status}` };
        const report = (await response.json()) as { status?: string };
        return { status: report.status === 'ok' ? 'up' : 'degraded', detail: report.status };
      },
      { critical: false },
    );
  const followSubgraphs = (sdl: string) => {
    for (const { name, url } of subgraphsOf(sdl)) {
      if (!(name in subgraphUrls)) registerSubgraphCheck(name);
      subgraphUrls[name] = urlOf(name, url);
    }
  };
  let supergraphLoaded = false;
  health.register(
    'supergraph',
    async () => (supergraphLoaded ? { status: 'up' } : { status: 'down', detail: 'no supergraph loaded' }),
    { critical: true },
  );

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createHttpServer(app, { service: 'gateway', limits: httpLimitsOf(config), logger });
  // Every edge step (identity, keys, limits, policy, persisted queries, caches, analytics,
  // explorer) and every Apollo plugin, in order: pipeline.ts.
  // This port's /metrics serves only the gateway's own series.
  const scope = metricsScope('gateway');
  const pipeline = await createPipeline({
    config,
    logger,
    health,
    httpServer,
    metricsScope: scope,
    extraPlugins: options.plugins,
  });

  /** The data source of each subgraph; the gateway builds a new one only when a URL changes. */
  const dataSources = new Map<string, SignedDataSource>();
  const retired = new Set<SignedDataSource>();
  const gateway = new ApolloGateway({
    supergraphSdl,
    // Each fetch carries its parsed operation, so the data sources read it (mutation or query,
    // what a cached answer holds) without parsing the text again.
    queryPlannerConfig: { exposeDocumentNodeInFetchNode: true },
    buildService: ({ name, url }) => {
      const dataSource = new SignedDataSource({
        name,
        url: urlOf(name, url!),
        signingSecret: config.GATEWAY_SIGNING_SECRET,
        timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
        fetchCache: pipeline.subgraphFetchCache,
      });
      const replaced = dataSources.get(name);
      dataSources.set(name, dataSource);
      // A reload moved this subgraph: calls already planned against the old URL finish on the old
      // pool, which closes (it waits for them) once they have had the subgraph deadline to do so.
      if (replaced) {
        retired.add(replaced);
        setTimeout(() => void replaced.close(), config.SUBGRAPH_TIMEOUT_MS).unref();
      }
      return dataSource;
    },
  });
  gateway.onSchemaLoadOrUpdate((schema) => {
    followSubgraphs(schema.coreSupergraphSdl);
    supergraphLoaded = true;
    pipeline.onSchema(schema);
  });

  const server = new ApolloServer<GatewayContext>({ gateway, ...pipeline.apolloOptions });
  await server.start();

  app.set('trust proxy', pipeline.trustProxy);
  for (const { path, handlers } of pipeline.httpSteps(server)) app.use(path ?? '/', ...handlers);
  const metricsPort = metricsPortOf(config);

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
              await Promise.all(
                [...dataSources.values(), ...retired].map((dataSource) => dataSource.close()),
              );
              await pipeline.close();
            },
          });
        });
      });
    },
  };
}
