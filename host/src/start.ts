/**
 * `npm start`: the gateway and every subgraph in one process. With no DATABASE_URL/REDIS_URL it
 * runs on the embedded defaults (PGlite in PGLITE_DATA_DIR, in-process cache, limits and queues).
 */
import { ConfigError, createLogger, installShutdown } from '@traveloure/platform';
import { startSupergraph } from './supergraph.ts';

const logger = createLogger('supergraph', { level: process.env.LOG_LEVEL ?? 'info' });
const embedded = !process.env.DATABASE_URL;
logger.info(
  embedded
    ? `embedded mode: PGlite in ${process.env.PGLITE_DATA_DIR ?? '.data/pglite'}, ${process.env.REDIS_URL ? 'Redis' : 'in-process cache, rate limits and queues'}`
    : `PostgreSQL mode: ${process.env.REDIS_URL ? 'with Redis' : 'no REDIS_URL, in-process cache, rate limits and queues'}`,
);

try {
  const supergraph = await startSupergraph({ fixedPorts: true, logger });
  installShutdown(logger, Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000), [supergraph.close]);
  const hosted = Object.entries(supergraph.services)
    .map(([name, service]) => `${name} ${service!.url}`)
    .join(', ');
  logger.info({ gateway: supergraph.gatewayUrl, subgraphs: hosted }, 'supergraph ready');
  const endpoint = supergraph.gatewayUrl.replace('127.0.0.1', 'localhost');
  process.stdout.write(`\nTraveloure supergraph ready (${supergraph.mode}): ${endpoint}\n\n`);
} catch (error) {
  if (error instanceof ConfigError) console.error(error.message);
  else logger.fatal({ err: error }, 'startup failed');
  process.exit(1);
}
