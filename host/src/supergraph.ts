import {
  createLogger,
  embeddedPGlite,
  closeEmbeddedPGlite,
  loadConfig,
  baseConfigSchema,
  startService,
  startupSummary,
  type Logger,
  type StartedService,
} from '@traveloure/platform';
import { createGateway, loadGatewayConfig, type RunningGateway } from '@traveloure/gateway';
import { loadServiceDefinitions, serviceNames, type ServiceName } from './services.ts';

export interface StartSupergraphOptions {
  env?: Record<string, string | undefined>;
  /** Which subgraphs to host (all that exist by default). */
  services?: readonly ServiceName[];
  /** Use the configured/default ports (npm start) instead of free ones (tests). */
  fixedPorts?: boolean;
  /** Where the gateway listens (0.0.0.0 by default). The subgraphs always listen on loopback. */
  host?: string;
  logger?: Logger;
  /** Sees every SQL statement of every hosted service (tests count them). */
  onQuery?: (sqlText: string, service: string) => void;
}

export interface RunningSupergraph {
  gatewayUrl: string;
  gateway: RunningGateway;
  services: Partial<Record<ServiceName, StartedService<any>>>;
  mode: 'embedded' | 'postgres';
  close(): Promise<void>;
}

/**
 * Hosts the chosen subgraphs and the gateway in this process. This is `npm start` (the embedded
 * default shares one PGlite between every subgraph, each in its own schema) and the harness the
 * end-to-end tests use (real HTTP on free ports, real PostgreSQL and Redis from env).
 */
export async function startSupergraph(options: StartSupergraphOptions = {}): Promise<RunningSupergraph> {
  const env = options.env ?? process.env;
  const base = loadConfig(baseConfigSchema, env);
  const logger = options.logger ?? createLogger('supergraph', { level: base.LOG_LEVEL });
  const embedded = !base.DATABASE_URL;
  const pglite = embedded ? await embeddedPGlite(base.PGLITE_DATA_DIR) : undefined;

  const started: StartedService<any>[] = [];
  const closeAll = async () => {
    for (const service of started.reverse()) {
      await service
        .close()
        .catch((error) => logger.error({ err: error, service: service.name }, 'close failed'));
    }
    if (embedded) await closeEmbeddedPGlite();
  };

  try {
    const definitions = await loadServiceDefinitions(options.services ?? serviceNames);
    for (const definition of definitions) {
      started.push(
        await startService(definition, {
          env,
          pglite,
          // Only the gateway in this process calls them: nothing else needs to reach them, and
          // their /metrics and /health must not face the network.
          host: '127.0.0.1',
          ...(options.fixedPorts ? {} : { port: 0 }),
          logger: options.logger
            ? logger.child({ subgraph: definition.name })
            : createLogger(definition.name, { level: base.LOG_LEVEL }),
          onQuery: options.onQuery ? (sqlText) => options.onQuery!(sqlText, definition.name) : undefined,
        }),
      );
    }
    const gatewayConfig = loadGatewayConfig(env);
    const gatewayLogger = options.logger
      ? logger.child({ subgraph: 'gateway' })
      : createLogger('gateway', { level: base.LOG_LEVEL });
    const gateway = await createGateway({
      config: gatewayConfig,
      logger: gatewayLogger,
      subgraphUrls: Object.fromEntries(started.map((service) => [service.name, service.url])),
    });
    const running = await gateway.listen(options.fixedPorts ? gatewayConfig.GATEWAY_PORT : 0, options.host);
    // The same start-up line as each subgraph's (startService): where, mode, database, Redis.
    const summary = startupSummary({
      config: gatewayConfig,
      embedded,
      logger: gatewayLogger,
    });
    gatewayLogger.info(
      { ...summary, url: running.url },
      `gateway ready at ${running.url}: ${summary.mode}, database ${summary.database}, Redis ${summary.redis}`,
    );
    return {
      gatewayUrl: running.url,
      gateway: running,
      services: Object.fromEntries(started.map((service) => [service.name, service])),
      mode: embedded ? 'embedded' : 'postgres',
      close: async () => {
        await running.close();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
