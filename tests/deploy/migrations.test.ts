import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  migrateSchema,
  sql,
  type DatabaseHandle,
  type Migration,
} from '@traveloure/platform';
import { createTestDatabase, type TestDatabase } from '@traveloure/platform/testing';
import { loadServiceDefinitions } from '@traveloure/supergraph';

// Replicas of a release start together and each migrates before it serves: every one of them
// must come up, and the schema must end as one migrator alone would leave it.
describe('migrations started at once by several replicas', () => {
  const databases: TestDatabase[] = [];
  const handles: DatabaseHandle<any>[] = [];

  afterAll(async () => {
    await Promise.all(handles.map((handle) => handle.close()));
    await Promise.all(databases.map((database) => database.drop()));
  });

  let definitions: Awaited<ReturnType<typeof loadServiceDefinitions>>;
  beforeAll(async () => {
    definitions = await loadServiceDefinitions();
  });

  it('all succeed, on a fresh database, each migration applied once', async () => {
    const replicas = 4;
    for (let round = 0; round < 3; round += 1) {
      const database = await createTestDatabase('migration_lock');
      databases.push(database);
      // One pool per replica: separate sessions, as separate pods would have.
      const pools = Array.from({ length: replicas }, (_, index) =>
        createDatabase<any>({ service: `replica-${index}`, url: database.url, poolMax: 2 }),
      );
      handles.push(...pools);
      const outcomes = await Promise.allSettled(
        pools.flatMap((pool) =>
          definitions.map((definition) => migrateSchema(pool.db, definition.schema, definition.migrations)),
        ),
      );
      const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(failures.map((failure) => String((failure as PromiseRejectedResult).reason))).toEqual([]);

      for (const definition of definitions) {
        const applied = await sql<{ name: string }>`
          select name from ${sql.table(`${definition.schema}.kysely_migration`)} order by name`.execute(
          pools[0]!.db,
        );
        expect(applied.rows.map((row) => row.name)).toEqual(Object.keys(definition.migrations).sort());
      }
    }
  });
});

// Blue-green and canary run two releases on one database: the older one must start on a schema
// the newer one has migrated (and a rollback must too), not stop on migrations it does not know.
describe('a release older than the schema', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle<any>;
  beforeAll(async () => {
    database = await createTestDatabase('migration_older');
    handle = createDatabase<any>({ service: 'older-release', url: database.url });
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  const widgets: Migration = {
    up: async (db) =>
      void (await db.schema.withSchema('demo').createTable('widgets').addColumn('id', 'integer').execute()),
    down: async (db) => void (await db.schema.withSchema('demo').dropTable('widgets').execute()),
  };
  const gadgets: Migration = {
    up: async (db) =>
      void (await db.schema.withSchema('demo').createTable('gadgets').addColumn('id', 'integer').execute()),
    down: async (db) => void (await db.schema.withSchema('demo').dropTable('gadgets').execute()),
  };

  it('starts and leaves the newer schema as it is', async () => {
    await migrateSchema(handle.db, 'demo', { '0001-widgets': widgets, '0002-gadgets': gadgets });
    const results = await migrateSchema(handle.db, 'demo', { '0001-widgets': widgets });
    expect(results).toEqual([]);
    const applied = await sql<{ name: string }>`select name from demo.kysely_migration order by name`.execute(
      handle.db,
    );
    expect(applied.rows.map((row) => row.name)).toEqual(['0001-widgets', '0002-gadgets']);
    // The newer release, started again, has nothing left to do either.
    expect(
      await migrateSchema(handle.db, 'demo', { '0001-widgets': widgets, '0002-gadgets': gadgets }),
    ).toEqual([]);
  });
});
