/** Runs the gateway alone (production: one process per service). */
import { startTracing } from '@traveloure/platform/tracing';
import { loadGatewayConfig } from './config.ts';

let config;
try {
  config = loadGatewayConfig();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
// Tracing before the server loads: it instruments what is imported after it.
await startTracing('gateway');
const { createLogger, initSentry, installShutdown } = await import('@traveloure/platform');
const { createGateway } = await import('./server.ts');
const logger = createLogger('gateway', { level: config.LOG_LEVEL });
initSentry({
  dsn: config.SENTRY_DSN,
  service: 'gateway',
  environment: config.NODE_ENV,
  release: config.SERVICE_VERSION,
});
const gateway = await createGateway({ config, logger });
const running = await gateway.listen(config.GATEWAY_PORT);
installShutdown(logger, config.SHUTDOWN_GRACE_MS, [running.close]);
