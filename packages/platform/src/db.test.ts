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

  it('runs migrations in migrationOrder, where Kysely alone would put a dash before an underscore', async () => {
    // Array#sort puts the second first ('-' is below '_'), and it needs the first's table.
    const styles: Record<string, Migration> = {
      '2026_01_01_0001_parts': {
        up: async (db) => void (await sql`create table styles.parts (id int primary key)`.execute(db)),
        down: async (db) => void (await sql`drop table styles.parts`.execute(db)),
      },
      '2026-01-02T00-00-00-rename-parts': {
        up: async (db) => void (await sql`alter table styles.parts rename to pieces`.execute(db)),
        down: async (db) => void (await sql`alter table styles.pieces rename to parts`.execute(db)),
      },
    };
    const [first, second] = Object.keys(styles);
    const applied = async () =>
      (await migrateSchema(handle.db, 'styles', styles)).map((r) => r.migrationName);
    expect(await applied()).toEqual([first, second]);
    await migrateSchema(handle.db, 'styles', styles, undefined, 'down-all');
    await migrateSchema(handle.db, 'styles', { [first!]: styles[first!]! });
    expect(await applied()).toEqual([second]);
    await expect(
      migrateSchema(handle.db, 'styles', { ...styles, '2026-01-01T12-00-00-too-late': styles[second!]! }),
    ).rejects.toThrow(
      /corrupted migrations: 2026-01-01T12-00-00-too-late is listed before 2026-01-02T00-00-00-rename-parts/,
    );
    await migrateSchema(handle.db, 'styles', styles, undefined, 'down-all');
    const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = 'styles' and table_name not like 'kysely_%'`.execute(handle.db);
    expect(rows).toEqual([]);
  });

  it('reports statements to onQuery and answers ping', async () => {
    statements.length = 0;
    await handle.ping();
    expect(statements).toEqual(['select 1']);
  });
});
