import type { PGlite } from '@electric-sql/pglite';
import {
  createQueryId,
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  type Compilable,
  type CompiledQuery,
  type Migration,
  type KyselyPlugin,
} from 'kysely';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { PGliteDialect } from './pglite-dialect.ts';
import type { BaseConfig } from './config.ts';
import { gauge, histogram } from './metrics.ts';
import { acquireEmbeddedLock } from './embedded-lock.ts';

export { sql } from 'kysely';
export type { Kysely, Transaction, Selectable, Insertable, Updateable, Migration } from 'kysely';

// Return int8 (counts, sums) as numbers and numeric as strings: money stays exact as a decimal
// string, counts stay convenient. int8 values here are row counts, far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

const queryDuration = histogram(
  'db_query_duration_seconds',
  'Database statement duration',
  ['service', 'pool'] as const,
  [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
);

const poolClients = gauge(
  'db_pool_clients',
  'PostgreSQL pool clients by state: total (open), idle, waiting (callers queued for a client)',
  ['service', 'pool', 'state'] as const,
);
const poolMax = gauge('db_pool_max_clients', 'Largest number of clients a PostgreSQL pool opens', [
  'service',
  'pool',
] as const);
/** Open pools, read when /metrics is scraped (pg.Pool keeps these counts itself). */
const openPools = new Map<pg.Pool, { service: string; pool: string; max: number }>();
(poolClients as unknown as { collect: () => void }).collect = () => {
  poolClients.reset();
  for (const [pool, labels] of openPools) {
    const { service, pool: name } = labels;
    poolClients.set({ service, pool: name, state: 'total' }, pool.totalCount);
    poolClients.set({ service, pool: name, state: 'idle' }, pool.idleCount);
    poolClients.set({ service, pool: name, state: 'waiting' }, pool.waitingCount);
  }
};
(poolMax as unknown as { collect: () => void }).collect = () => {
  poolMax.reset();
  for (const { service, pool, max } of openPools.values()) poolMax.set({ service, pool }, max);
};

const embeddedInstances = new Map<string, { instance: Promise<PGlite>; release: () => void }>();

/**
 * The one PGlite of this process for `dataDir` (`memory://` for a throwaway one). PGlite is a
 * single-connection database, so every subgraph hosted in the process shares it; and a
 * single-process one, so a folder another live process has open is refused
 * (EmbeddedDatabaseBusyError, see embedded-lock.ts).
 */
export function embeddedPGlite(dataDir: string): Promise<PGlite> {
  let entry = embeddedInstances.get(dataDir);
  if (!entry) {
    let release = () => {};
    if (!dataDir.startsWith('memory://')) {
      try {
        release = acquireEmbeddedLock(dataDir);
      } catch (error) {
        return Promise.reject(error);
      }
      mkdirSync(dataDir, { recursive: true });
    }
    // Loaded here, not at the top: a process on PostgreSQL (or a CLI refused before it opens
    // anything) never pays for the WebAssembly build.
    const instance = import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create(dataDir));
    entry = { instance, release };
    embeddedInstances.set(dataDir, entry);
  }
  return entry.instance;
}

export async function closeEmbeddedPGlite() {
  const entries = [...embeddedInstances.values()];
  embeddedInstances.clear();
  await Promise.all(
    entries.map(async (entry) => {
      try {
        await (await entry.instance).close();
      } finally {
        entry.release();
      }
    }),
  );
}

/**
 * PostgreSQL cannot be reached with `variable` (DATABASE_URL): the message says which variable,
 * which server, what went wrong and what to do, without a stack, for the person starting it.
 */
export class DatabaseUnreachableError extends Error {
  constructor(
    readonly variable: string,
    message: string,
    readonly code?: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'DatabaseUnreachableError';
  }
}

/** `user@host:port/database`, never the password. */
function describePostgresUrl(url: string) {
  const parsed = new URL(url);
  const host = parsed.hostname || 'localhost';
  const port = parsed.port || '5432';
  const user = decodeURIComponent(parsed.username);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user || 'postgres';
  return { host, port, user, database, where: `${host}:${port}` };
}

/** Where a service's data lives, for start-up lines: `PostgreSQL user@host:port/db` or `PGlite in DIR`. */
export function describeDatabaseLocation(
  config: Pick<BaseConfig, 'DATABASE_URL' | 'PGLITE_DATA_DIR'>,
): string {
  if (!config.DATABASE_URL) return `PGlite in ${config.PGLITE_DATA_DIR}`;
  try {
    const { user, where, database } = describePostgresUrl(config.DATABASE_URL);
    return `PostgreSQL ${user ? `${user}@` : ''}${where}/${database}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** What the PostgreSQL client's failure means for the person who set `variable`. */
export function explainDatabaseError(error: unknown, url: string, variable = 'DATABASE_URL'): Error {
  if (!(error instanceof Error)) return new DatabaseUnreachableError(variable, String(error));
  const { host, port, user, database, where } = describePostgresUrl(url);
  const code = (error as NodeJS.ErrnoException).code;
  const unset = `or unset ${variable} to run on the embedded database`;
  switch (code) {
    case 'ECONNREFUSED':
      return new DatabaseUnreachableError(
        variable,
        `no PostgreSQL answers at ${where} (connection refused). Start PostgreSQL there, fix ${variable}, ${unset}.`,
        code,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DatabaseUnreachableError(
        variable,
        `the host "${host}" is not known (${code}). Fix ${variable}, ${unset}.`,
        code,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new DatabaseUnreachableError(variable, `${where} cannot be reached (${code}).`, code);
    case '3D000': {
      const flags = [`-h ${host}`, `-p ${port}`, ...(user ? [`-U ${user}`] : [])].join(' ');
      return new DatabaseUnreachableError(
        variable,
        `the database "${database}" does not exist on ${where}. Create it with: createdb ${flags} ${database}`,
        code,
      );
    }
    case '28P01':
    case '28000':
      return new DatabaseUnreachableError(
        variable,
        `PostgreSQL at ${where} refused the user "${user}": ${error.message}.`,
        code,
      );
    default:
      if (/timeout/i.test(error.message)) {
        return new DatabaseUnreachableError(
          variable,
          `no answer from PostgreSQL at ${where} in time (${error.message}).`,
        );
      }
      return new DatabaseUnreachableError(
        variable,
        `cannot use PostgreSQL at ${where}: ${error.message}`,
        code,
      );
  }
}

/**
 * Connects once to `url` and runs `select 1`, before anything migrates, so a wrong DATABASE_URL
 * is one clear line (explainDatabaseError) instead of a pool's stack trace.
 */
export async function checkDatabaseReachable(
  url: string,
  options: { variable?: string; connectTimeoutMs?: number } = {},
): Promise<void> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    application_name: 'traveloure-startup-check',
  });
  // A failing socket emits 'error' as well as rejecting connect(): the rejection is what counts.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw explainDatabaseError(error, url, options.variable);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface DatabaseOptions {
  service: string;
  /** PostgreSQL URL; absent means the embedded PGlite. */
  url?: string;
  pglite?: PGlite;
  poolMax?: number;
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Label for metrics: `primary` or `read`. */
  pool?: 'primary' | 'read';
  /** Observe every statement (tests count statements with it, per request via currentRequestContext()). */
  onQuery?: (sqlText: string) => void;
  plugins?: KyselyPlugin[];
}

export interface DatabaseHandle<DB> {
  db: Kysely<DB>;
  kind: 'postgres' | 'pglite';
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createDatabase<DB>(options: DatabaseOptions): DatabaseHandle<DB> {
  const poolLabel = options.pool ?? 'primary';
  // An observer attributes statements to requests through the request context.
  const log = (event: { level: string; query: { sql: string }; queryDurationMillis: number }) => {
    queryDuration.observe({ service: options.service, pool: poolLabel }, event.queryDurationMillis / 1000);
    options.onQuery?.(event.query.sql);
  };
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? 10,
      idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      statement_timeout: options.statementTimeoutMs || undefined,
      application_name: `traveloure-${options.service}`,
    });
    // An idle client that errors (server restart) must not crash the process.
    pool.on('error', () => {});
    // Nor a checked-out one: pg-pool takes its own listener off a client it hands out, and a
    // connection cut mid-transaction (a crash, a failover) then emits 'error' with no listener,
    // an uncaught exception. The query in flight still fails (and the pool drops the client).
    pool.on('connect', (client) => void client.on('error', () => {}));
    openPools.set(pool, { service: options.service, pool: poolLabel, max: options.poolMax ?? 10 });
    const db = new Kysely<DB>({
      dialect: new PostgresDialect({ pool }),
      log,
      plugins: options.plugins ?? [],
    });
    return {
      db,
      kind: 'postgres',
      ping: async () => void (await sql`select 1`.execute(db)),
      close: async () => {
        openPools.delete(pool);
        await db.destroy();
      },
    };
  }
  if (!options.pglite) throw new Error('createDatabase: no DATABASE_URL and no embedded PGlite given');
  const db = new Kysely<DB>({
    dialect: new PGliteDialect(options.pglite),
    log,
    plugins: options.plugins ?? [],
  });
  return {
    db,
    kind: 'pglite',
    ping: async () => void (await sql`select 1`.execute(db)),
    close: () => db.destroy(),
  };
}

/** Stands for the parameter at `index` while a reusable query is compiled. */
class Placeholder {
  constructor(readonly index: number) {}
}

/**
 * A query built and compiled once, then run with new parameters: the hot reads are the same
 * statement on every request, and building and compiling it in Kysely cost more JavaScript than
 * the round trip itself. `build` is called once with placeholders standing for the parameters;
 * each must reach the SQL as one bound value (a list goes in whole, e.g. `= any(${ids})`, never
 * spread by `in`). The SQL is PostgreSQL's, which every dialect here compiles (pg and PGlite).
 */
export function reusableQuery<DB, P extends unknown[], R>(
  build: (db: Kysely<DB>, ...params: P) => Compilable<R>,
): (db: Kysely<DB>, ...params: P) => Promise<R[]> {
  let compiled: CompiledQuery<R> | undefined;
  let slots: (Placeholder | { value: unknown })[] = [];
  return async (db, ...params) => {
    if (!compiled) {
      const placeholders = params.map((_, index) => new Placeholder(index)) as unknown as P;
      compiled = build(db, ...placeholders).compile();
      slots = compiled.parameters.map((value) => (value instanceof Placeholder ? value : { value }));
      if (slots.filter((slot) => slot instanceof Placeholder).length !== params.length) {
        compiled = undefined;
        throw new Error('reusableQuery: every parameter must be bound exactly once');
      }
    }
    const parameters = slots.map((slot) => (slot instanceof Placeholder ? params[slot.index] : slot.value));
    const result = await db.executeQuery<R>({ ...compiled, parameters, queryId: createQueryId() });
    return result.rows;
  };
}

/** The primary and (when DATABASE_READ_URL is set) read-replica handles of a service. */
export async function createServiceDatabases<DB>(
  service: string,
  config: Pick<
    BaseConfig,
    | 'DATABASE_URL'
    | 'DATABASE_READ_URL'
    | 'PGLITE_DATA_DIR'
    | 'PG_POOL_MAX'
    | 'PG_IDLE_TIMEOUT_MS'
    | 'PG_CONNECT_TIMEOUT_MS'
    | 'PG_STATEMENT_TIMEOUT_MS'
  >,
  extra: Pick<DatabaseOptions, 'onQuery' | 'pglite'> = {},
): Promise<{ primary: DatabaseHandle<DB>; read: DatabaseHandle<DB> }> {
  const common = {
    service,
    poolMax: config.PG_POOL_MAX,
    idleTimeoutMs: config.PG_IDLE_TIMEOUT_MS,
    connectTimeoutMs: config.PG_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    onQuery: extra.onQuery,
  };
  if (!config.DATABASE_URL) {
    const pglite = extra.pglite ?? (await embeddedPGlite(config.PGLITE_DATA_DIR));
    const primary = createDatabase<DB>({ ...common, pglite });
    return { primary, read: primary };
  }
  const primary = createDatabase<DB>({ ...common, url: config.DATABASE_URL });
  const read = config.DATABASE_READ_URL
    ? createDatabase<DB>({ ...common, url: config.DATABASE_READ_URL, pool: 'read' })
    : primary;
  return { primary, read };
}

/** The order migrations run in, by name. */
export const migrationOrder = (a: string, b: string) => a.localeCompare(b, 'en');

/**
 * Runs a subgraph's migrations inside its own PostgreSQL schema, tracked in a migration table
 * in that schema. Migrations are plain objects imported statically (no directory scanning), so
 * they run the same from source, a bundle or a container.
 *
 * Replicas of a release start together and each migrates before serving, so the whole run holds
 * a session-level advisory lock keyed by the schema: Kysely's own migration lock covers the
 * migrations but not what comes before them, and two concurrent `create schema if not exists`
 * fail one of them with a unique violation. The others wait, then find nothing left to do.
 */
export async function migrateSchema(
  db: Kysely<any>,
  schema: string,
  migrations: Record<string, Migration>,
  logger?: Logger,
  direction: 'latest' | 'down-all' = 'latest',
) {
  // A session lock needs one session: every statement of the run goes over this connection.
  return db.connection().execute(async (connection) => {
    const lockKey = sql`hashtextextended(${`traveloure.migrate.${schema}`}, 0)`;
    // The wait is as long as the other replica's migrations, which the pool's statement_timeout
    // must not cut short; `set local` keeps that to this one statement's transaction, and the
    // session lock outlives the transaction.
    await connection.transaction().execute(async (trx) => {
      await sql`set local statement_timeout = 0`.execute(trx);
      await sql`select pg_advisory_lock(${lockKey})`.execute(trx);
    });
    try {
      return await runMigrations(connection, schema, migrations, logger, direction);
    } finally {
      await sql`select pg_advisory_unlock(${lockKey})`.execute(connection);
    }
  });
}

async function runMigrations(
  db: Kysely<any>,
  schema: string,
  migrations: Record<string, Migration>,
  logger: Logger | undefined,
  direction: 'latest' | 'down-all',
) {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migratorOver = (listed: Record<string, Migration>) =>
    new Migrator({
      db,
      provider: { getMigrations: async () => listed },
      migrationTableSchema: schema,
      // Kysely lists a provider's migrations by Array#sort (UTF-16 code units), whatever the
      // comparator: there `2026-12-02T...` comes before `2026_11_26_001_notification`. So its own
      // order check is off and each pending migration is handed to it alone, in migrationOrder.
      allowUnorderedMigrations: true,
      nameComparator: migrationOrder,
    });
  if (direction === 'latest') {
    const executed = await executedMigrations(db, schema);
    // A release older than the schema (a rollback, the stable pods beside a canary, the old color
    // of a blue-green pair) must still start: Kysely would refuse ("corrupted migrations") because
    // the newer release's migrations are unknown to it. Migrations are written to be compatible
    // with the release before them, so it runs on the newer schema and leaves it as it is.
    const ahead = executed.filter((name) => !(name in migrations));
    if (ahead.length > 0) {
      logger?.warn(
        { schema, ahead },
        'schema is ahead of this release (a newer one migrated it); left as it is',
      );
      return [];
    }
    const ordered = Object.keys(migrations).sort(migrationOrder);
    const firstPending = ordered.findIndex((name) => !executed.includes(name));
    if (firstPending < 0) return [];
    // Kysely's refusal, kept: a migration listed before one already run would run out of order.
    const ranAfter = ordered.slice(firstPending).filter((name) => executed.includes(name));
    if (ranAfter.length > 0) {
      throw new Error(
        `corrupted migrations: ${ordered[firstPending]} is listed before ${ranAfter.join(', ')}, which already ran`,
      );
    }
    const results = [];
    for (let index = firstPending; index < ordered.length; index++) {
      const listed = Object.fromEntries(ordered.slice(0, index + 1).map((name) => [name, migrations[name]!]));
      const { error, results: step } = await migratorOver(listed).migrateToLatest();
      for (const result of step ?? []) {
        logger?.info({ schema, migration: result.migrationName, status: result.status }, 'migration');
      }
      if (error) throw error;
      results.push(...(step ?? []));
    }
    return results;
  }
  const migrator = migratorOver(migrations);
  const results = [];
  for (;;) {
    const { error, results: step } = await migrator.migrateDown();
    if (error) throw error;
    if (!step?.length || step.every((result) => result.status === 'NotExecuted')) break;
    for (const result of step) {
      logger?.info(
        { schema, migration: result.migrationName, status: result.status, direction: 'down' },
        'migration rolled back',
      );
    }
    results.push(...step);
  }
  return results;
}

/** Names of the migrations the schema has run (none before its migration table exists). */
async function executedMigrations(db: Kysely<any>, schema: string) {
  const { rows } = await sql<{
    found: string | null;
  }>`select to_regclass(${`"${schema}".kysely_migration`})::text as found`.execute(db);
  if (!rows[0]?.found) return [];
  const executed = await sql<{
    name: string;
  }>`select name from ${sql.table(`${schema}.kysely_migration`)}`.execute(db);
  return executed.rows.map((row) => row.name);
}
