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
});
