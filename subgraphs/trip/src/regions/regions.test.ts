/**
 * Data residency: three regional databases (and a home one) on the shared PostgreSQL server, the
 * trip subgraph started with DATABASE_URL_US_EAST/EU_WEST/AP_SOUTH pointing at them. Each trip,
 * its items, its owner and its outbox events must be in its region's database and nowhere else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startService, type StartedService } from '@traveloure/platform';
import {
  createTestDatabase,
  signedGraphQL,
  testSigningSecret,
  type TestDatabase,
} from '@traveloure/platform/testing';
import { tripService } from '../service.ts';
import type { TripConfig } from '../config.ts';
import type { RegionValue } from '../db/database.ts';
import { addDays } from '../trips/trip-dates.ts';
import { refreshPopularity } from '../db/popularity.repository.ts';
import type { TestUser } from '../test-support.ts';

const regionNames: RegionValue[] = ['US_EAST', 'EU_WEST', 'AP_SOUTH'];
const travelers: Record<RegionValue, TestUser> = {
  US_EAST: { id: 'user-region-us', name: 'Uma', region: 'US_EAST' },
  EU_WEST: { id: 'user-region-eu', name: 'Elie', region: 'EU_WEST' },
  AP_SOUTH: { id: 'user-region-ap', name: 'Arjun', region: 'AP_SOUTH' },
};
const admin: TestUser = { id: 'user-region-admin', roles: ['ADMIN'], region: 'US_EAST' };
const analyst: TestUser = { id: 'user-region-analyst', roles: ['ANALYST'] };
const stranger: TestUser = { id: 'user-region-stranger', region: 'EU_WEST' };
const start = addDays(new Date().toISOString().slice(0, 10), 40);

const CREATE = `mutation ($input: CreateTripInput!) {
  createTrip(input: $input) { trip { id region owner { id region } } userErrors { code message } }
}`;
const ADD_ITEM = `mutation ($tripId: ID!, $input: ItineraryItemInput!) {
  addItineraryItem(tripId: $tripId, input: $input) { item { id } userErrors { code message } }
}`;
const TRIP = `query ($id: ID!) { trip(id: $id) { id title region items { id title } owner { id } } }`;
const MY_TRIPS = `{ trips(first: 10) { totalCount edges { node { id region } } } }`;
const ALL_TRIPS = `query ($after: String) {
  trips(first: 2, after: $after, allUsers: true) {
    totalCount edges { cursor node { id region createdAt } } pageInfo { hasNextPage endCursor }
  }
}`;

let home: TestDatabase | undefined;
const regional: Partial<Record<RegionValue, TestDatabase>> = {};
let service: StartedService<TripConfig> | undefined;

const call = async (user: TestUser | undefined, query: string, variables: Record<string, unknown> = {}) =>
  (await signedGraphQL('trip', service!.url)(query, variables, user)).body;

/** Runs one statement on a database directly, beside the service. */
async function query<T = any>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  home = await createTestDatabase('trip_regions_home');
  for (const region of regionNames) regional[region] = await createTestDatabase(`trip_regions_${region}`);
  service = await startService(tripService, {
    env: {
      DATABASE_URL: home.url,
      DATABASE_URL_US_EAST: regional.US_EAST!.url,
      DATABASE_URL_EU_WEST: regional.EU_WEST!.url,
      DATABASE_URL_AP_SOUTH: regional.AP_SOUTH!.url,
      GATEWAY_SIGNING_SECRET: testSigningSecret,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      TRIP_POPULARITY_REFRESH_MS: '0',
      SEED_DEMO_DATA: 'false',
    },
    port: 0,
    host: '127.0.0.1',
  });
}, 120_000);

afterAll(async () => {
  await service?.close().catch(() => {});
  await Promise.all([home, ...Object.values(regional)].map((database) => database?.drop().catch(() => {})));
});

describe('trips in their region’s database (DATABASE_URL_<REGION>)', () => {
  const trips: Record<string, { id: string; region: RegionValue }> = {};

  it('writes each user, trip, item and event only in the region’s database', async () => {
    for (const region of regionNames) {
      for (const title of [`${region} one`, `${region} two`]) {
        const created = await call(travelers[region], CREATE, {
          input: { title, destinationCode: 'PAR', startDate: start, endDate: addDays(start, 2) },
        });
        expect(created.errors).toBeUndefined();
        expect(created.data.createTrip.userErrors).toEqual([]);
        expect(created.data.createTrip.trip).toMatchObject({
          region,
          owner: { id: travelers[region].id, region },
        });
        trips[title] = { id: created.data.createTrip.trip.id, region };
      }
      const added = await call(travelers[region], ADD_ITEM, {
        tripId: trips[`${region} one`]!.id,
        input: { kind: 'NOTE', title: `note ${region}`, startTime: `${start}T12:00:00Z` },
      });
      expect(added.data.addItineraryItem.userErrors).toEqual([]);
    }

    for (const region of regionNames) {
      const here = regional[region]!.url;
      const ownTrips = (await query(here, 'select id, region from trip.trips order by title')).map(
        (row) => row.id,
      );
      const expected = Object.values(trips)
        .filter((trip) => trip.region === region)
        .map((trip) => trip.id);
      expect(ownTrips.sort()).toEqual(expected.sort());
      expect(await query(here, 'select id from trip.users')).toEqual([{ id: travelers[region].id }]);
      expect(await query(here, 'select title from trip.itinerary_items')).toEqual([
        { title: `note ${region}` },
      ]);
      // The events committed with the writes, in the same database.
      const events = await query(
        here,
        `select aggregate_id from trip.outbox where event_type = 'trip.created'`,
      );
      expect(events.map((row) => row.aggregate_id).sort()).toEqual(expected.sort());
    }
    // A relay per database publishes every region's events (attempts counts publications).
    for (const region of regionNames) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const [row] = await query(
          regional[region]!.url,
          'select count(*)::int as n from trip.outbox where attempts = 0',
        );
        if (row.n === 0) break;
        if (Date.now() > deadline) throw new Error(`${region}'s outbox was not relayed`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // The home database keeps the directory and the reference data, and no trips or users.
    expect(await query(home!.url, 'select count(*)::int as n from trip.trips')).toEqual([{ n: 0 }]);
    expect(await query(home!.url, 'select count(*)::int as n from trip.users')).toEqual([{ n: 0 }]);
    const directory = await query(
      home!.url,
      'select user_id, region from trip.user_directory order by user_id',
    );
    expect(directory).toEqual(
      expect.arrayContaining(regionNames.map((region) => ({ user_id: travelers[region].id, region }))),
    );
  });

  it('serves owners their trips from their region, and hides them from everyone else', async () => {
    for (const region of regionNames) {
      const mine = await call(travelers[region], MY_TRIPS);
      expect(mine.data.trips.totalCount).toBe(2);
      expect(mine.data.trips.edges.every((edge: any) => edge.node.region === region)).toBe(true);
      const one = await call(travelers[region], TRIP, { id: trips[`${region} one`]!.id });
      expect(one.data.trip).toMatchObject({
        region,
        items: [{ title: `note ${region}` }],
        owner: { id: travelers[region].id },
      });

      const hidden = await call(stranger, TRIP, { id: trips[`${region} one`]!.id });
      expect(hidden.data?.trip ?? null).toBeNull();
      expect(hidden.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    expect((await call(stranger, MY_TRIPS)).data.trips.totalCount).toBe(0);
    const forbidden = await call(stranger, ALL_TRIPS);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lists every region’s trips for an admin, newest first, across pages', async () => {
    const seen: { id: string; createdAt: string }[] = [];
    let after: string | null = null;
    let totalCount = 0;
    for (let page = 0; page < 10; page++) {
      const answer: any = await call(admin, ALL_TRIPS, { after });
      expect(answer.errors).toBeUndefined();
      totalCount = answer.data.trips.totalCount;
      seen.push(...answer.data.trips.edges.map((edge: any) => edge.node));
      if (!answer.data.trips.pageInfo.hasNextPage) break;
      after = answer.data.trips.pageInfo.endCursor;
    }
    expect(totalCount).toBe(6);
    expect(seen.map((trip) => trip.id).sort()).toEqual(
      Object.values(trips)
        .map((trip) => trip.id)
        .sort(),
    );
    const times = seen.map((trip) => trip.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    // And each trip by id, wherever it lives, with its owner from that region.
    for (const trip of Object.values(trips)) {
      const found = await call(admin, TRIP, { id: trip.id });
      expect(found.data.trip).toMatchObject({ id: trip.id, region: trip.region });
    }
  });

  it('adds up every region’s popularity for analysts', async () => {
    for (const database of service!.runtime.regional!.databases) await refreshPopularity(database.db);
    const answer = await call(
      analyst,
      `{ destinationPopularity(days: 7) { destination { code } tripCount } }`,
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data.destinationPopularity).toEqual([{ destination: { code: 'PAR' }, tripCount: 6 }]);
  });

  it('keeps a user in the database their data is in when a token names another region', async () => {
    const moved = await call(
      { ...travelers.EU_WEST, name: 'Elie Moved', region: 'AP_SOUTH' },
      `{ me { region name } }`,
    );
    expect(moved.data.me).toEqual({ region: 'EU_WEST', name: 'Elie Moved' });
    expect(
      await query(regional.AP_SOUTH!.url, 'select id from trip.users where id = $1', [travelers.EU_WEST.id]),
    ).toEqual([]);
  });
});
