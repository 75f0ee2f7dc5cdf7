/**
 * `npm start`: the gateway and every subgraph in one process. With no DATABASE_URL/REDIS_URL it
 * runs on the embedded defaults (PGlite in PGLITE_DATA_DIR, in-process cache, limits and queues).
 *
 * Before anything is loaded or migrated, it checks what a person can get wrong, so a mistake is
 * one line naming the variable within a second, not a stack trace after ten: every service's
 * configuration, then the database (PostgreSQL reachable, or the embedded folder not already
 * open in another process). Only then are the services (seconds of imports) loaded.
 */
import { baseConfigSchema, loadConfig } from '@traveloure/platform/config';
import { createLogger, type Logger } from '@traveloure/platform/logger';
import { acquireEmbeddedLock } from '@traveloure/platform/embedded-lock';
import { loadGatewayConfig } from '@traveloure/gateway/config';
import { startTracing } from '@traveloure/platform/tracing';
import { checkEverySetting } from './check-settings.ts';
import { loadServiceManifests } from './services.ts';
import { explainStartupError } from './startup-errors.ts';

/** Which variable sets each port, to name it when the port is taken. */
const portVariables: Record<number, string> = {};

function stop(error: unknown): never {
  const explained = explainStartupError(error, portVariables);
  if (explained) console.error(explained);
  else console.error('start-up failed:', error);
  process.exit(1);
}

let logger: Logger;
try {
  const manifests = await loadServiceManifests();
  checkEverySetting(manifests);
  for (const manifest of manifests) {
    const config = loadConfig(manifest.configSchema) as Record<string, unknown>;
    portVariables[config[manifest.portVariable] as number] = manifest.portVariable;
  }
  portVariables[loadGatewayConfig().GATEWAY_PORT] = 'GATEWAY_PORT';

  const base = loadConfig(baseConfigSchema);
  logger = createLogger('supergraph', { level: base.LOG_LEVEL });
  // Tracing before the services load: it instruments what is imported after it. One process
  // hosts them all, so its spans are the service `traveloure`; each HTTP span's port says which.
  await startTracing('traveloure');
  if (base.DATABASE_URL) {
    const { checkDatabaseReachable } = await import('@traveloure/platform/db');
    await checkDatabaseReachable(base.DATABASE_URL, { connectTimeoutMs: base.PG_CONNECT_TIMEOUT_MS });
  } else {
    // Held until the process exits: seed, migrate, worker and apikey are refused meanwhile.
    acquireEmbeddedLock(base.PGLITE_DATA_DIR);
  }
  logger.info(
    base.DATABASE_URL
      ? `PostgreSQL mode: ${base.REDIS_URL ? 'with Redis' : 'no REDIS_URL, in-process cache, rate limits and queues'}`
      : `embedded mode: PGlite in ${base.PGLITE_DATA_DIR}, ${base.REDIS_URL ? 'Redis' : 'in-process cache, rate limits and queues'}`,
  );
} catch (error) {
  stop(error);
}

try {
  const { startSupergraph } = await import('./supergraph.ts');
  const { installShutdown } = await import('@traveloure/platform');
  const supergraph = await startSupergraph({ fixedPorts: true, logger });
  installShutdown(logger, Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000), [supergraph.close]);
  const hosted = Object.entries(supergraph.services)
    .map(([name, service]) => `${name} ${service!.url}`)
    .join(', ');
  logger.info({ gateway: supergraph.gatewayUrl, subgraphs: hosted }, 'supergraph ready');
  const endpoint = supergraph.gatewayUrl.replace('127.0.0.1', 'localhost');
  process.stdout.write(`\nTraveloure supergraph ready (${supergraph.mode}): ${endpoint}\n\n`);
} catch (error) {
  const explained = explainStartupError(error, portVariables);
  if (explained) console.error(explained);
  else logger.fatal({ err: error }, 'start-up failed');
  process.exit(1);
}
