import type { PGlite } from '@electric-sql/pglite';
import type { AddressInfo } from 'node:net';
import { sql, type Kysely, type Migration } from 'kysely';
import type { z } from 'zod';
import type { Logger } from 'pino';
import { loadConfig, isEmbedded, type BaseConfig } from './config.ts';
import { createLogger } from './logger.ts';
import {
  checkDatabaseReachable,
  createServiceDatabases,
  describeDatabaseLocation,
  migrateSchema,
} from './db.ts';
import { createRedis, describeRedisLocation, pingRedis, redisOutageReporter, type Redis } from './redis.ts';
import { Health } from './health.ts';
import {
  createRegionalDatabases,
  regionalDatabaseVariable,
  type RegionalDatabases,
} from './regional-databases.ts';
import { metricsPortOf, serveMetrics } from './http.ts';
import { initSentry, flushSentry } from './sentry.ts';
import type { SubgraphServer } from './subgraph-server.ts';

/** Everything a service needs at run time, built once by startService. */
export interface ServiceRuntime<C extends BaseConfig = BaseConfig> {
  name: string;
  config: C;
  logger: Logger;
  health: Health;
  /** Read-write pool (or the embedded PGlite). */
  db: Kysely<any>;
  /** Read replica when DATABASE_READ_URL is set, else the same as db. */
  readDb: Kysely<any>;
  /**
   * Set for a service with data regions (ServiceDefinition.regions): each region's database,
   * migrated like `db`; the regions without a DATABASE_URL_<REGION> are in `db`.
   */
  regional?: RegionalDatabases<any>;
  /** Absent in embedded mode: use the in-process fallbacks. */
  redis?: Redis;
  embedded: boolean;
}

export interface ServiceInstance {
  server: SubgraphServer;
  /** Background work started with the service (relays, workers, schedulers). */
  stop?(): Promise<void>;
}

/**
 * What a subgraph package exports so it can run alone (its own process) or hosted with the
 * others in one process (the embedded default and the end-to-end tests).
 */
export interface ServiceDefinition<C extends BaseConfig = BaseConfig> {
  /** Its name in schema/supergraph.yaml, where the subgraphs are listed. */
  name: string;
  /** Its PostgreSQL schema: no service reads another's. */
  schema: string;
  defaultPort: number;
  /** The variable that sets the port, e.g. TRIP_PORT. */
  portVariable: string;
  configSchema: z.ZodType<C>;
  migrations: Record<string, Migration>;
  /**
   * Data regions whose rows may live in a database of their own, named by DATABASE_URL_<REGION>
   * in the service's settings (runtime.regional); each is migrated on start.
   */
  regions?: readonly string[];
  /** Loads demo data; must be idempotent (runs on every start). */
  seed?(runtime: ServiceRuntime<C>): Promise<void>;
  create(runtime: ServiceRuntime<C>): Promise<ServiceInstance>;
}

export interface StartServiceOptions {
  env?: Record<string, string | undefined>;
  port?: number;
  host?: string;
  /** Share one embedded PGlite between services hosted in one process. */
  pglite?: PGlite;
  logger?: Logger;
  /** Observe every SQL statement (tests count them). */
  onQuery?: (sqlText: string) => void;
  seed?: boolean;
}

export interface StartedService<C extends BaseConfig = BaseConfig> {
  name: string;
  url: string;
  port: number;
  /** The address it listens on (0.0.0.0 alone, 127.0.0.1 hosted with the gateway). */
  host: string;
  /** Set when /metrics has a port of its own (METRICS_PORT; always in production). */
  metricsUrl?: string;
  runtime: ServiceRuntime<C>;
  close(): Promise<void>;
}

export interface PreparedRuntime<C extends BaseConfig = BaseConfig> {
  runtime: ServiceRuntime<C>;
  /** Disconnects Redis, closes the pools and flushes error reports. */
  release(): Promise<void>;
}

/**
 * Config, logger, error reporting, database pools, Redis and readiness checks for a service, with
 * its schema migrated. startService builds a server on it; a worker process runs jobs on it.
 */
export async function prepareRuntime<C extends BaseConfig>(
  definition: Pick<ServiceDefinition<C>, 'name' | 'schema' | 'migrations' | 'configSchema' | 'regions'>,
  options: Pick<StartServiceOptions, 'env' | 'pglite' | 'logger' | 'onQuery'> & {
    processName?: string;
    /** What the process does while Redis is unreachable, for the one line announcing it. */
    redisDegraded?: string;
  } = {},
): Promise<PreparedRuntime<C>> {
  const processName = options.processName ?? definition.name;
  const config = loadConfig(definition.configSchema, options.env ?? process.env) as C;
  const logger = options.logger ?? createLogger(processName, { level: config.LOG_LEVEL });
  initSentry({
    dsn: config.SENTRY_DSN,
    service: processName,
    environment: config.NODE_ENV,
    release: config.SERVICE_VERSION,
  });
  // A wrong DATABASE_URL is one line naming it (and, for a missing database, the createdb to
  // run), not a pool's stack trace after the first migration fails.
  if (config.DATABASE_URL) {
    await checkDatabaseReachable(config.DATABASE_URL, { connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS });
  }
  const databases = await createServiceDatabases(processName, config, {
    pglite: options.pglite,
    onQuery: options.onQuery,
  });
  const redis = config.REDIS_URL
    ? createRedis(
        config.REDIS_URL,
        logger,
        {},
        options.redisDegraded ?? 'caches in process, rate limits local; queued work waits for Redis',
      )
    : undefined;
  const health = new Health(config.SERVICE_VERSION, definition.name);
  // Without its own database a subgraph can answer nothing: the one critical check.
  health.register('database', () => databases.primary.ping(), { critical: true });
  if (databases.read !== databases.primary) {
    health.register('databaseRead', () => databases.read.ping(), { critical: false });
  }
  // Redis down degrades (caches and limiters fall back in process); it does not take us out.
  if (redis) health.register('redis', () => pingRedis(redis), { critical: false });

  const runtime: ServiceRuntime<C> = {
    name: definition.name,
    config,
    logger,
    health,
    db: databases.primary.db,
    readDb: databases.read.db,
    redis,
    embedded: isEmbedded(config),
  };
  await migrateSchema(runtime.db, definition.schema, definition.migrations, logger);
  if (definition.regions) {
    const settings = config as unknown as Record<string, string | undefined>;
    runtime.regional = await createRegionalDatabases({
      service: processName,
      regions: definition.regions,
      home: { db: runtime.db, url: config.DATABASE_URL },
      urls: Object.fromEntries(
        definition.regions.map((region) => [region, settings[regionalDatabaseVariable(region)]]),
      ),
      pool: {
        poolMax: config.PG_POOL_MAX,
        idleTimeoutMs: config.PG_IDLE_TIMEOUT_MS,
        connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS,
        statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
        onQuery: options.onQuery,
      },
    });
    for (const database of runtime.regional.databases) {
      if (database.home) continue;
      const name = `database-${database.regions.join('-').toLowerCase()}`;
      health.register(name, () => sql`select 1`.execute(database.db).then(() => {}), { critical: true });
      await migrateSchema(database.db, definition.schema, definition.migrations, logger);
    }
  }
  return {
    runtime,
    release: async () => {
      redis?.disconnect();
      await runtime.regional?.close();
      if (databases.read !== databases.primary) await databases.read.close();
      await databases.primary.close();
      await flushSentry();
    },
  };
}

export async function startService<C extends BaseConfig>(
  definition: ServiceDefinition<C>,
  options: StartServiceOptions = {},
): Promise<StartedService<C>> {
  const env = options.env ?? process.env;
  const { runtime, release } = await prepareRuntime(definition, options);
  if (options.seed !== false && definition.seed) await definition.seed(runtime);

  const instance = await definition.create(runtime);
  const portFromEnv = env[definition.portVariable];
  const port = options.port ?? (portFromEnv ? Number(portFromEnv) : definition.defaultPort);
  const metricsPort = metricsPortOf(runtime.config);
  // Up before the public port, so /metrics is never answered there, not even briefly.
  const metrics =
    metricsPort === undefined ? undefined : await serveMetrics(metricsPort, runtime.config.METRICS_HOST);
  const running = await instance.server
    .listen(port, options.host, { metricsOnMainPort: !metrics })
    .catch(async (error: unknown) => {
      await metrics?.close();
      throw error;
    });
  const summary = startupSummary(runtime);
  runtime.logger.info(
    { ...summary, url: running.url, metrics: metrics?.url ?? 'on the service port' },
    `${definition.name} ready at ${running.url}: ${summary.mode}, database ${summary.database}, Redis ${summary.redis}`,
  );

  return {
    name: definition.name,
    url: running.url,
    port: running.port,
    host: (running.httpServer.address() as AddressInfo).address,
    metricsUrl: metrics?.url,
    runtime,
    close: async () => {
      await running.close();
      await metrics?.close();
      await instance.stop?.();
      await release();
    },
  };
}

/**
 * Mode, database and Redis of a runtime in words, for the one start-up line each service writes
 * (`trip ready at URL: embedded, database PGlite in .data/pglite, Redis not set (in process)`).
 */
export function startupSummary(runtime: Pick<ServiceRuntime, 'config' | 'embedded' | 'logger'>) {
  const { config } = runtime;
  let redis = 'not set (caches, limits and queues in process)';
  if (config.REDIS_URL) {
    const where = describeRedisLocation(config.REDIS_URL);
    redis = redisOutageReporter(config.REDIS_URL, runtime.logger).isDown
      ? `${where} (unreachable: running degraded)`
      : where;
  }
  return {
    mode: runtime.embedded ? 'embedded' : 'postgres',
    database: describeDatabaseLocation(config),
    redis,
  };
}

/** Process entry for a service running alone: start, and stop cleanly on SIGTERM/SIGINT. */
export async function runServiceMain<C extends BaseConfig>(definition: ServiceDefinition<C>) {
  let started: StartedService<C> | undefined;
  try {
    started = await startService(definition);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  installShutdown(started.runtime.logger, started.runtime.config.SHUTDOWN_GRACE_MS, [started.close]);
}

/** SIGTERM/SIGINT: run the closers once, then exit; a second signal or the grace period forces it. */
export function installShutdown(logger: Logger, graceMs: number, closers: (() => Promise<void>)[]) {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown grace period exceeded; exiting');
      process.exit(1);
    }, graceMs).unref();
    try {
      for (const close of closers) await close();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
