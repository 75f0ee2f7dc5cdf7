import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '@traveloure/platform/testing';
import { migrateAll } from './migrate.ts';

/** `npm run migrate` and `npm run migrate -- --down` against PostgreSQL: every schema, the gateway's too. */
describe('migrateAll', () => {
  let database: TestDatabase;
  const saved = { DATABASE_URL: process.env.DATABASE_URL, LOG_LEVEL: process.env.LOG_LEVEL };
  beforeAll(async () => {
    database = await createTestDatabase('migrate_all');
    process.env.DATABASE_URL = database.url;
    process.env.LOG_LEVEL = 'silent';
  });
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await database?.drop();
  });

  /** Application tables per schema (Kysely's own migration bookkeeping aside). */
  const tables = async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ schema: string; n: number }>(
        `select table_schema as schema, count(*)::int as n from information_schema.tables
          where table_schema in ('trip', 'ai', 'search', 'notification', 'gateway') and table_name not like 'kysely_%'
          group by table_schema`,
      );
      return Object.fromEntries(rows.map((row) => [row.schema, row.n]));
    } finally {
      await client.end();
    }
  };

  it('brings every schema up, idempotently, and all the way down again', async () => {
    await migrateAll();
    const up = await tables();
    expect(Object.keys(up).sort()).toEqual(['ai', 'gateway', 'notification', 'search', 'trip']);
    for (const count of Object.values(up)) expect(count).toBeGreaterThan(0);
    await migrateAll();
    expect(await tables()).toEqual(up);
    await migrateAll({ down: true });
    expect(await tables()).toEqual({});
  });

  it('names every table and index by the scheme (docs/architecture.md, Naming)', async () => {
    await migrateAll();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // Partitions are their parent's name and a suffix; Kysely's bookkeeping keeps its names.
      const { rows: tables } = await client.query<{ name: string }>(
        `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = any($1) and c.relkind in ('r', 'p') and not c.relispartition
            and c.relname not like 'kysely_%' order by 1`,
        [schemas],
      );
      expect(tables.length).toBeGreaterThan(20);
      expect(tables.map(({ name }) => name).filter((name) => !tableNamed(name.split('.')[1]!))).toEqual([]);
      const { rows: indexes } = await client.query<{ table: string; index: string }>(
        `select schemaname || '.' || tablename as table, indexname as index from pg_indexes
          where schemaname = any($1) and tablename not like 'kysely_%'`,
        [schemas],
      );
      expect(indexes.filter(({ table, index }) => !index.startsWith(`${table.split('.')[1]}_`))).toEqual([]);
    } finally {
      await client.end();
    }
  });
});

const schemas = ['trip', 'ai', 'search', 'notification', 'gateway'];
/** Tables that are one whole rather than a set of rows, named by a collective noun. */
const collectives = new Set(['outbox', 'search_log', 'user_directory']);
/** Snake case, and the plural of what a row is, or `<record>_projection` for a copy kept from events. */
const tableNamed = (table: string) =>
  /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(table) &&
  (table.endsWith('s') || table.endsWith('_projection') || collectives.has(table));
