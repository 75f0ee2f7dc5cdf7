import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratedTestDatabase } from './test-support.ts';
import { passThroughCache } from '@traveloure/platform';
import { createLoaderSources, createLoaders, type LoaderSources } from './loaders.ts';
import { seedTripData, demoTrips, demoUsers } from './db/seed/index.ts';
import { seedDestinations } from './db/seed/destinations.ts';

describe('loaders', () => {
  const statements: string[] = [];
  let database: Awaited<ReturnType<typeof migratedTestDatabase>>;
  // The service's own batch functions, through caches that keep nothing: every load is SQL.
  let sources: LoaderSources;
  beforeAll(async () => {
    database = await migratedTestDatabase('trip_loaders', (sqlText) => statements.push(sqlText));
    await seedTripData(database.db);
    sources = createLoaderSources(database.db, {
      users: passThroughCache(),
      trips: passThroughCache(),
      items: passThroughCache(),
      destinations: passThroughCache(),
    });
  });
  afterAll(() => database?.close());

  /** Runs `work` and returns the statements it issued. */
  const counted = async <T>(work: () => Promise<T>) => {
    statements.length = 0;
    const value = await work();
    return { value, statements: [...statements] };
  };

  it('load every key of a batch with one statement, results in key order', async () => {
    const loaders = createLoaders(sources, { userId: 'admin', admin: true });
    const codes = [...seedDestinations.map((row) => row.code)].reverse().concat('ZZZ');
    const destinations = await counted(() => loaders.destinationByCode.loadMany(codes));
    expect(destinations.statements).toHaveLength(1);
    expect(destinations.value.map((row) => (row && !(row instanceof Error) ? row.code : null))).toEqual(
      codes.map((code) => (code === 'ZZZ' ? null : code)),
    );

    const userIds = demoUsers.map((user) => user.id).reverse();
    const users = await counted(() => Promise.all(userIds.map((id) => loaders.userById.load(id))));
    expect(users.statements).toHaveLength(1);
    expect(users.value.map((row) => row?.id)).toEqual(userIds);

    const tripIds = demoTrips.map((trip) => trip.id).reverse();
    const trips = await counted(() =>
      Promise.all([...tripIds, 'not-a-uuid'].map((id) => loaders.tripById.load(id))),
    );
    expect(trips.statements).toHaveLength(1);
    expect(trips.value.map((row) => row?.id ?? null)).toEqual([...tripIds, null]);

    const items = await counted(() => Promise.all(tripIds.map((id) => loaders.itemsByTripId.load(id))));
    expect(items.statements).toHaveLength(1);
    expect(items.value.map((rows) => rows.length)).toEqual(
      [...demoTrips].reverse().map((trip) => trip.items.length),
    );
    for (const [index, rows] of items.value.entries()) {
      expect(rows.every((row) => row.trip_id === tripIds[index])).toBe(true);
      const times = rows.map((row) => row.start_time.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }

    const itemIds = items.value.flat().map((row) => row.id);
    const byId = await counted(() => loaders.itemById.loadMany(itemIds));
    expect(byId.statements).toHaveLength(1);
  });

  it('show a traveler only their own trips, and an anonymous caller none without asking', async () => {
    const traveler = createLoaders(sources, { userId: 'user-demo-us', admin: false });
    const loaded = await Promise.all(demoTrips.map((trip) => traveler.tripById.load(trip.id)));
    expect(loaded.map((row) => row?.user_id ?? null)).toEqual(
      demoTrips.map((trip) => (trip.userId === 'user-demo-us' ? 'user-demo-us' : null)),
    );
    const anonymous = createLoaders(sources, undefined);
    const none = await counted(() => anonymous.tripById.load(demoTrips[0]!.id));
    expect(none.value).toBeNull();
    expect(none.statements).toHaveLength(0);
  });
});
