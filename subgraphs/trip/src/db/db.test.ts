import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDatabase, migrateSchema } from '@traveloure/platform';
import { createTestDatabase } from '@traveloure/platform/testing';
import { migratedTestDatabase } from '../test-support.ts';
import type { Database } from './database.ts';
import { migrations } from './migrations/index.ts';
import { provisionUser } from './users.repository.ts';
import { findTripsByIds, insertTrip, listTripsForUser, countTripsForUser } from './trips.repository.ts';
import { countItemsOutside, findItemsByTripIds, insertItem } from './items.repository.ts';
import { refreshPopularity, topDestinations } from './popularity.repository.ts';
import { searchDestinations, upsertDestinations } from './destinations.repository.ts';
import { seedTripData, demoTrips } from './seed/index.ts';
import { seedDestinations } from './seed/destinations.ts';

const tablesIn = async (db: ReturnType<typeof createDatabase<Database>>['db']) =>
  (
    await sql<{ name: string }>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'trip' and c.relkind in ('r', 'p', 'm') order by 1`.execute(db)
  ).rows.map((row) => row.name);

describe('migrations', () => {
  it('go up and all the way down again', async () => {
    const database = await createTestDatabase('trip_migrations');
    const handle = createDatabase<Database>({ service: 'trip', url: database.url });
    try {
      await migrateSchema(handle.db, 'trip', migrations);
      expect(await tablesIn(handle.db)).toEqual(
        expect.arrayContaining([
          'users',
          'destinations',
          'trips',
          'trips_us_east',
          'trips_eu_west',
          'trips_ap_south',
          'itinerary_items',
          'outbox',
          'destination_popularity_daily',
        ]),
      );
      const indexes = (
        await sql<{ indexdef: string }>`select indexdef from pg_indexes where schemaname = 'trip'`.execute(
          handle.db,
        )
      ).rows.map((row) => row.indexdef);
      expect(indexes.some((def) => /ON ONLY trip\.trips .*\(user_id, created_at DESC/.test(def))).toBe(true);
      expect(indexes.some((def) => /itinerary_items .*\(trip_id, start_time\)/.test(def))).toBe(true);
      expect(indexes.some((def) => /outbox .*\(created_at\) WHERE \(published_at IS NULL\)/.test(def))).toBe(
        true,
      );

      await migrateSchema(handle.db, 'trip', migrations, undefined, 'down-all');
      expect((await tablesIn(handle.db)).filter((name) => !name.startsWith('kysely_'))).toEqual([]);

      await migrateSchema(handle.db, 'trip', migrations);
      expect(await tablesIn(handle.db)).toContain('trips_ap_south');
    } finally {
      await handle.close();
      await database.drop();
    }
  });
});

describe('repositories', () => {
  let database: Awaited<ReturnType<typeof migratedTestDatabase>>;
  beforeAll(async () => {
    database = await migratedTestDatabase('trip_repositories');
    await upsertDestinations(database.db, seedDestinations);
  });
  afterAll(() => database?.close());

  const newTrip = (
    userId: string,
    region: 'US_EAST' | 'EU_WEST' | 'AP_SOUTH',
    extra: Partial<Parameters<typeof insertTrip>[1]> = {},
  ) =>
    insertTrip(database.db, {
      region,
      user_id: userId,
      title: 'A trip',
      destination_code: 'PAR',
      start_date: '2027-05-01',
      end_date: '2027-05-04',
      travelers: 2,
      budget: 'MIDRANGE',
      pace: 'MODERATE',
      ...extra,
    });

  it('provisions a user once and records created and updated events', async () => {
    const claims = { id: 'user-provision', email: 'p@example.com', name: 'Pat', region: 'EU_WEST' as const };
    expect(await provisionUser(database.db, claims, { region: 'US_EAST' })).toMatchObject({
      event: 'user.created',
      user: { id: 'user-provision', email: 'p@example.com', name: 'Pat', region: 'EU_WEST' },
    });
    expect(await provisionUser(database.db, claims, { region: 'US_EAST' })).toBeUndefined();
    // A claim the token lacks keeps the stored value.
    expect(await provisionUser(database.db, { id: claims.id }, { region: 'US_EAST' })).toBeUndefined();
    expect(
      await provisionUser(database.db, { ...claims, name: 'Pat Smith' }, { region: 'US_EAST' }),
    ).toMatchObject({
      event: 'user.updated',
      user: { name: 'Pat Smith', email: 'p@example.com' },
    });
    const events = await database.db
      .selectFrom('trip.outbox')
      .select(['event_type', 'aggregate_type', 'aggregate_id', 'payload'])
      .where('aggregate_id', '=', claims.id)
      .orderBy('created_at')
      .execute();
    expect(events).toEqual([
      {
        event_type: 'user.created',
        aggregate_type: 'user',
        aggregate_id: claims.id,
        payload: { userId: claims.id, email: 'p@example.com', name: 'Pat', region: 'EU_WEST' },
      },
      {
        event_type: 'user.updated',
        aggregate_type: 'user',
        aggregate_id: claims.id,
        payload: { userId: claims.id, email: 'p@example.com', name: 'Pat Smith', region: 'EU_WEST' },
      },
    ]);
  });

  it('routes each trip to its region partition', async () => {
    const placed: Record<string, string> = {};
    for (const region of ['US_EAST', 'EU_WEST', 'AP_SOUTH'] as const) {
      await provisionUser(database.db, { id: `user-${region}`, name: region, region }, { region: 'US_EAST' });
      const trip = await newTrip(`user-${region}`, region);
      const row = await sql<{ partition: string }>`
        select tableoid::regclass::text as partition from trip.trips where id = ${trip.id}`.execute(
        database.db,
      );
      placed[region] = row.rows[0]!.partition;
    }
    expect(placed).toEqual({
      US_EAST: 'trip.trips_us_east',
      EU_WEST: 'trip.trips_eu_west',
      AP_SOUTH: 'trip.trips_ap_south',
    });
    await expect(newTrip('user-US_EAST', 'MARS' as never)).rejects.toThrow();
  });

  it('finds trips by id only within the scope, and ignores ids that are not uuids', async () => {
    await provisionUser(database.db, { id: 'owner-a', name: 'A', region: 'US_EAST' }, { region: 'US_EAST' });
    const trip = await newTrip('owner-a', 'US_EAST', { title: 'Scoped' });
    expect(
      await findTripsByIds(database.db, [trip.id, 'not-a-uuid'], { userId: 'owner-a', admin: false }),
    ).toMatchObject([{ id: trip.id, title: 'Scoped', start_date: '2027-05-01', end_date: '2027-05-04' }]);
    expect(await findTripsByIds(database.db, [trip.id], { userId: 'someone-else', admin: false })).toEqual(
      [],
    );
    expect(
      await findTripsByIds(database.db, [trip.id], { userId: 'someone-else', admin: true }),
    ).toHaveLength(1);
  });

  it('pages a user’s trips newest first without gaps or repeats', async () => {
    await provisionUser(
      database.db,
      { id: 'pager', name: 'Pager', region: 'AP_SOUTH' },
      { region: 'US_EAST' },
    );
    const created = [];
    for (let index = 0; index < 7; index++)
      created.push(await newTrip('pager', 'AP_SOUTH', { title: `Trip ${index}` }));
    const seen: string[] = [];
    let after: { createdAt: string; id: string } | undefined;
    for (;;) {
      const page = await listTripsForUser(database.db, 'pager', { limit: 3, after });
      seen.push(...page.map((row) => row.title));
      if (page.length < 3) break;
      after = { createdAt: page.at(-1)!.cursor_at, id: page.at(-1)!.id };
    }
    expect(seen).toEqual(created.map((trip) => trip.title).reverse());
    expect(await countTripsForUser(database.db, 'pager')).toBe(7);
  });

  it('stores money exactly and finds items outside a window', async () => {
    await provisionUser(
      database.db,
      { id: 'items-owner', name: 'I', region: 'EU_WEST' },
      { region: 'US_EAST' },
    );
    const trip = await newTrip('items-owner', 'EU_WEST');
    await insertItem(database.db, {
      trip_id: trip.id,
      trip_region: 'EU_WEST',
      kind: 'MEAL',
      title: 'Dinner',
      start_time: new Date('2027-05-02T18:00:00Z'),
      cost_amount: '12345678901.99',
      cost_currency: 'EUR',
    });
    const [item] = await findItemsByTripIds(database.db, [trip.id]);
    expect(item).toMatchObject({ cost_amount: '12345678901.99', cost_currency: 'EUR', trip_id: trip.id });
    const window = (from: string, to: string) => ({ from: new Date(from), to: new Date(to) });
    expect(
      await countItemsOutside(database.db, trip.id, window('2027-05-01T00:00:00Z', '2027-05-05T00:00:00Z')),
    ).toBe(0);
    expect(
      await countItemsOutside(database.db, trip.id, window('2027-05-03T00:00:00Z', '2027-05-05T00:00:00Z')),
    ).toBe(1);
  });

  it('refuses rows that break the table rules', async () => {
    await expect(newTrip('owner-a', 'US_EAST', { travelers: 21 })).rejects.toThrow();
    await expect(newTrip('owner-a', 'US_EAST', { end_date: '2027-04-01' })).rejects.toThrow();
    await expect(newTrip('owner-a', 'US_EAST', { destination_code: 'ZZZ' })).rejects.toThrow();
    await expect(newTrip('nobody', 'US_EAST')).rejects.toThrow();
  });

  it('searches destinations by code, name and country', async () => {
    expect((await searchDestinations(database.db, { search: 'par', limit: 5 }))[0]?.code).toBe('PAR');
    expect(
      (await searchDestinations(database.db, { search: 'japan', limit: 10 })).map((row) => row.code).sort(),
    ).toEqual(['OSA', 'TYO', 'UKY']);
    expect(await searchDestinations(database.db, { search: '%', limit: 5 })).toEqual([]);
  });

  it('counts destination popularity from the refreshed view', async () => {
    expect(await refreshPopularity(database.db)).toBe(true);
    const top = await topDestinations(database.db, { days: 30, limit: 3 });
    expect(top[0]).toMatchObject({ destination_code: 'PAR' });
    const total = await database.db
      .selectFrom('trip.trips')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('destination_code', '=', 'PAR')
      .executeTakeFirstOrThrow();
    expect(top[0]!.trip_count).toBe(Number(total.n));
  });
});

describe('seed', () => {
  it('loads only reference data when demo data is off (production)', async () => {
    const database = await migratedTestDatabase('trip_seed_reference');
    try {
      await seedTripData(database.db, undefined, { demo: false });
      const destinations = await database.db
        .selectFrom('trip.destinations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const users = await database.db
        .selectFrom('trip.users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const trips = await database.db
        .selectFrom('trip.trips')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(destinations.n)).toBeGreaterThanOrEqual(50);
      expect([Number(users.n), Number(trips.n)]).toEqual([0, 0]);
    } finally {
      await database.close();
    }
  });

  it('is idempotent and moves past demo trips forward', async () => {
    const database = await migratedTestDatabase('trip_seed');
    try {
      await seedTripData(database.db);
      const count = async (
        table: 'trip.trips' | 'trip.itinerary_items' | 'trip.outbox' | 'trip.destinations' | 'trip.users',
      ) =>
        Number(
          (
            await database.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const first = {
        destinations: await count('trip.destinations'),
        users: await count('trip.users'),
        trips: await count('trip.trips'),
        items: await count('trip.itinerary_items'),
        events: await count('trip.outbox'),
      };
      expect(first.destinations).toBeGreaterThanOrEqual(50);
      expect(first.trips).toBe(demoTrips.length);
      const regions = await database.db.selectFrom('trip.users').select('region').distinct().execute();
      expect(regions.map((row) => row.region).sort()).toEqual(['AP_SOUTH', 'EU_WEST', 'US_EAST']);

      await seedTripData(database.db);
      expect({
        destinations: await count('trip.destinations'),
        users: await count('trip.users'),
        trips: await count('trip.trips'),
        items: await count('trip.itinerary_items'),
        events: await count('trip.outbox'),
      }).toEqual(first);

      const demo = demoTrips[0]!;
      await sql`update trip.trips set start_date = '2020-01-01', end_date = '2020-01-04' where id = ${demo.id}`.execute(
        database.db,
      );
      await seedTripData(database.db);
      const moved = await database.db
        .selectFrom('trip.trips')
        .select(sql<boolean>`start_date >= current_date`.as('future'))
        .where('id', '=', demo.id)
        .executeTakeFirstOrThrow();
      expect(moved.future).toBe(true);
      expect(await count('trip.itinerary_items')).toBe(first.items);
      const updates = await database.db
        .selectFrom('trip.outbox')
        .select('event_type')
        .where('aggregate_id', '=', demo.id)
        .execute();
      expect(updates.map((row) => row.event_type).sort()).toEqual(['trip.created', 'trip.updated']);
    } finally {
      await database.close();
    }
  });
});
