/** Runs the gateway alone (production: one process per service). */
import { createLogger, initSentry, installShutdown } from '@traveloure/platform';
import { loadGatewayConfig } from './config.ts';
import { createGateway } from './server.ts';

let config;
try {
  config = loadGatewayConfig();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
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
