/**
 * The notification workers alone, without the GraphQL server (`npm run worker`), to scale
 * delivery apart from the API. Serves /health, /health/ready and /metrics on WORKER_HEALTH_PORT.
 */
import express from 'express';
import { z } from 'zod';
import {
  Health,
  createLogger,
  createRedis,
  createServiceDatabases,
  env,
  installShutdown,
  isEmbedded,
  loadConfig,
  migrateSchema,
  operationalRoutes,
  pingRedis,
  type ServiceRuntime,
} from '@traveloure/platform';
import { createNotificationApp } from './app.ts';
import { notificationConfigSchema, type NotificationConfig } from './config.ts';
import { migrations } from './db/migrations/index.ts';

const workerConfigSchema = notificationConfigSchema.extend({ WORKER_HEALTH_PORT: env.port(4005) });

async function main() {
  let config: z.infer<typeof workerConfigSchema>;
  try {
    config = loadConfig(workerConfigSchema, process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const logger = createLogger('notification-worker', { level: config.LOG_LEVEL });
  const databases = await createServiceDatabases('notification-worker', config);
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, logger) : undefined;
  if (!redis) logger.warn('no REDIS_URL: an in-process queue only serves this process; run the workers inside the service instead');
  const health = new Health(config.SERVICE_VERSION);
  health.register('database', () => databases.primary.ping());
  if (redis) health.register('redis', () => pingRedis(redis));
  await migrateSchema(databases.primary.db, 'notification', migrations, logger);

  const runtime: ServiceRuntime<NotificationConfig> = {
    name: 'notification',
    config,
    logger,
    health,
    db: databases.primary.db,
    readDb: databases.read.db,
    redis,
    embedded: isEmbedded(config),
  };
  const app = createNotificationApp(runtime);
  const workers = app.startWorkers();

  const http = express();
  http.disable('x-powered-by');
  http.use(operationalRoutes(health));
  const server = http.listen(config.WORKER_HEALTH_PORT, () =>
    logger.info({ port: config.WORKER_HEALTH_PORT }, 'notification worker ready'),
  );

  installShutdown(logger, config.SHUTDOWN_GRACE_MS, [
    async () => {
      health.markShuttingDown();
      await workers.close();
      await app.close();
      server.close();
      redis?.disconnect();
      await databases.primary.close();
    },
  ]);
}

await main();
