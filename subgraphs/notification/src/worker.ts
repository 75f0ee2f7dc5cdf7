/**
 * The notification workers alone, without the GraphQL server (`npm run worker`), to scale
 * delivery apart from the API. Serves /health and /health/ready on WORKER_HEALTH_PORT, and /metrics
 * there too unless it has a port of its own (METRICS_PORT; always in production).
 */
import express from 'express';
import {
  env,
  installShutdown,
  metricsPortOf,
  operationalRoutes,
  pingRedis,
  prepareRuntime,
  serveMetrics,
  type PreparedRuntime,
} from '@traveloure/platform';
import { createNotificationServices } from './services.ts';
import { notificationConfigSchema, type NotificationConfig } from './config.ts';
import { notificationService } from './service.ts';

const workerConfigSchema = notificationConfigSchema.extend({ WORKER_HEALTH_PORT: env.port(4005) });
type WorkerConfig = NotificationConfig & { WORKER_HEALTH_PORT: number };

async function main() {
  let prepared: PreparedRuntime<WorkerConfig>;
  try {
    prepared = await prepareRuntime<WorkerConfig>(
      { ...notificationService, configSchema: workerConfigSchema },
      { processName: 'notification-worker' },
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
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
  const server = http.listen(config.WORKER_HEALTH_PORT, () =>
    logger.info({ port: config.WORKER_HEALTH_PORT }, 'notification worker ready'),
  );

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
