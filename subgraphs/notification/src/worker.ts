/**
 * The notification workers alone, without the GraphQL server (`npm run worker`), to scale
 * delivery apart from the API. Serves /health and /health/ready on WORKER_HEALTH_PORT, and /metrics
 * there too unless it has a port of its own (METRICS_PORT; always in production).
 */
import { env, loadConfig } from '@traveloure/platform/config';
import { acquireEmbeddedLock } from '@traveloure/platform/embedded-lock';
import { startTracing } from '@traveloure/platform/tracing';
import type { PreparedRuntime } from '@traveloure/platform';
import { notificationConfigSchema, type NotificationConfig } from './config.ts';

const workerConfigSchema = notificationConfigSchema.extend({ WORKER_HEALTH_PORT: env.port(4005) });
type WorkerConfig = NotificationConfig & { WORKER_HEALTH_PORT: number };

async function main() {
  let prepared: PreparedRuntime<WorkerConfig>;
  try {
    // Settings and the embedded folder are checked before the service is loaded (seconds), so a
    // mistake, or an `npm start` holding the embedded database, is said at once.
    const config = loadConfig(workerConfigSchema);
    if (!config.DATABASE_URL) acquireEmbeddedLock(config.PGLITE_DATA_DIR);
    // Tracing before the service loads: it instruments what is imported after it.
    await startTracing('notification-worker');
    const { prepareRuntime } = await import('@traveloure/platform');
    const { notificationService } = await import('./service.ts');
    prepared = await prepareRuntime<WorkerConfig>(
      { ...notificationService, configSchema: workerConfigSchema },
      {
        processName: 'notification-worker',
        redisDegraded: 'no job runs until it is back (readiness reports it down)',
      },
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const { default: express } = await import('express');
  const { installShutdown, metricsPortOf, operationalRoutes, pingRedis, serveMetrics, startupSummary } =
    await import('@traveloure/platform');
  const { createNotificationServices } = await import('./services.ts');
  const { runtime, release } = prepared;
  const { config, logger, health } = runtime;
  // Unlike the API, a worker with no Redis has nothing to do: Redis is critical here.
  const redis = runtime.redis;
  if (redis) health.register('redis', () => pingRedis(redis), { critical: true });
  else {
    logger.warn(
      'no REDIS_URL: an in-process queue only serves this process; run the workers inside the service instead',
    );
  }
  const services = createNotificationServices(runtime);
  const workers = services.startWorkers();

  const metricsPort = metricsPortOf(config);
  const metrics =
    metricsPort === undefined ? undefined : await serveMetrics(metricsPort, config.METRICS_HOST);
  const http = express();
  http.disable('x-powered-by');
  http.use(operationalRoutes(health, { metrics: !metrics }));
  const server = http.listen(config.WORKER_HEALTH_PORT, () => {
    const summary = startupSummary(runtime);
    logger.info(
      { ...summary, port: config.WORKER_HEALTH_PORT },
      `notification worker ready, health on port ${config.WORKER_HEALTH_PORT}: ${summary.mode}, database ${summary.database}, Redis ${summary.redis}`,
    );
  });

  installShutdown(logger, config.SHUTDOWN_GRACE_MS, [
    async () => {
      health.markShuttingDown();
      await workers.close();
      await services.close();
      server.close();
      await metrics?.close();
      await release();
    },
  ]);
}

await main();
