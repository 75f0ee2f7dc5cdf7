import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely, type Migration } from 'kysely';
import { createDatabase, migrateSchema, type DatabaseHandle } from './db.ts';
import { createTestDatabase, type TestDatabase } from './testing/index.ts';

const migrations: Record<string, Migration> = {
  '2026_01_01_0001_widgets': {
    up: async (db) => {
      await db.schema
        .withSchema('demo')
        .createTable('widgets')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute();
    },
    down: async (db) => {
      await db.schema.withSchema('demo').dropTable('widgets').execute();
    },
  },
  '2026_01_02_0001_gadgets': {
    up: async (db) => {
      await db.schema
        .withSchema('demo')
        .createTable('gadgets')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute();
    },
    down: async (db) => {
      await db.schema.withSchema('demo').dropTable('gadgets').execute();
    },
  },
};

async function tables(db: Kysely<any>) {
  const result = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'demo' order by table_name`.execute(
    db,
  );
  return result.rows.map((row) => row.table_name);
}

describe('migrateSchema on PostgreSQL', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle<any>;
  const statements: string[] = [];
  beforeAll(async () => {
    database = await createTestDatabase('platform_db');
    handle = createDatabase({ service: 'test', url: database.url, onQuery: (text) => statements.push(text) });
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  it('migrates up into its own schema, idempotently, and all the way down', async () => {
    await migrateSchema(handle.db, 'demo', migrations);
    expect(await tables(handle.db)).toEqual([
      'gadgets',
      'kysely_migration',
      'kysely_migration_lock',
      'widgets',
    ]);
    const again = await migrateSchema(handle.db, 'demo', migrations);
    expect(again).toEqual([]);
    await migrateSchema(handle.db, 'demo', migrations, undefined, 'down-all');
    expect(await tables(handle.db)).toEqual(['kysely_migration', 'kysely_migration_lock']);
  });

  it('reports statements to onQuery and answers ping', async () => {
    statements.length = 0;
    await handle.ping();
    expect(statements).toEqual(['select 1']);
  });
});
