import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, sql, type DatabaseHandle } from './db.ts';
import { createRegionalDatabases, inEveryRegion } from './regional-databases.ts';
import { createTestDatabase, type TestDatabase } from './testing/postgres.ts';

const regions = ['US_EAST', 'EU_WEST', 'AP_SOUTH'] as const;

describe('createRegionalDatabases', () => {
  let homeDatabase: TestDatabase;
  let otherDatabase: TestDatabase;
  let home: DatabaseHandle<any>;
  beforeAll(async () => {
    homeDatabase = await createTestDatabase('regional_home');
    otherDatabase = await createTestDatabase('regional_other');
    home = createDatabase({ service: 'test', url: homeDatabase.url });
  });
  afterAll(async () => {
    await home?.close();
    await homeDatabase?.drop();
    await otherDatabase?.drop();
  });

  const databaseName = async (db: DatabaseHandle<any>['db']) =>
    (await sql<{ name: string }>`select current_database() as name`.execute(db)).rows[0]!.name;

  it('puts regions without a URL (or with the home URL) in the home database, and shares a pool per URL', async () => {
    const regional = await createRegionalDatabases({
      service: 'test',
      regions,
      home: { db: home.db, url: homeDatabase.url },
      urls: { US_EAST: homeDatabase.url, EU_WEST: otherDatabase.url, AP_SOUTH: otherDatabase.url },
    });
    try {
      expect(regional.single).toBe(false);
      expect(regional.of('US_EAST')).toBe(home.db);
      expect(regional.of('EU_WEST')).toBe(regional.of('AP_SOUTH'));
      expect(await databaseName(regional.of('AP_SOUTH'))).toBe(otherDatabase.name);
      expect(regional.databases.map((database) => [database.home, database.regions])).toEqual([
        [true, ['US_EAST']],
        [false, ['EU_WEST', 'AP_SOUTH']],
      ]);
      const names = await inEveryRegion(regional, async (db) => [await databaseName(db)]);
      expect(names.sort()).toEqual([homeDatabase.name, otherDatabase.name].sort());
    } finally {
      await regional.close();
    }
    // The home pool is the caller's: still open.
    expect(await databaseName(home.db)).toBe(homeDatabase.name);
  });

  it('keeps every region in the embedded database, whatever the variables say', async () => {
    const regional = await createRegionalDatabases({
      service: 'test',
      regions,
      home: { db: home.db },
      urls: { EU_WEST: otherDatabase.url },
    });
    expect(regional.single).toBe(true);
    expect(regions.map((region) => regional.of(region))).toEqual([home.db, home.db, home.db]);
  });

  it('names the variable of a regional database that cannot be reached', async () => {
    const missing = new URL(homeDatabase.url);
    missing.pathname = '/traveloure_no_such_database';
    await expect(
      createRegionalDatabases({
        service: 'test',
        regions,
        home: { db: home.db, url: homeDatabase.url },
        urls: { EU_WEST: otherDatabase.url, AP_SOUTH: missing.toString() },
      }),
    ).rejects.toThrow(/^DATABASE_URL_AP_SOUTH: the database "traveloure_no_such_database" does not exist/);
  });
});
