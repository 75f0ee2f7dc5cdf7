import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraphForTest, type TestUser } from './test-support.ts';
import { addDays } from './trips/trip-dates.ts';

const alice: TestUser = { id: 'cache-alice', name: 'Alice', region: 'EU_WEST' };
const bob: TestUser = { id: 'cache-bob', name: 'Bob', region: 'EU_WEST' };
const today = new Date().toISOString().slice(0, 10);
const start = addDays(today, 30);
const end = addDays(start, 3);

const READ = `query ($id: ID!) { trip(id: $id) { title destination { name } items { title } } }`;

describe('trip read cache', () => {
  let trip: Awaited<ReturnType<typeof startSubgraphForTest>>;
  let tripId: string;
  const reads = () =>
    trip.statements.filter((sqlText) => /from "trip"\."(trips|itinerary_items|destinations)"/.test(sqlText))
      .length;

  beforeAll(async () => {
    trip = await startSubgraphForTest('trip_cache');
    const created = await trip.graphql(
      `mutation ($input: CreateTripInput!) { createTrip(input: $input) { trip { id } userErrors { code } } }`,
      {
        input: { title: 'Lisbon', destinationCode: 'LIS', startDate: start, endDate: end },
      },
      alice,
    );
    tripId = created.body.data.createTrip.trip.id;
  });
  afterAll(() => trip?.close());

  it('serves a repeated read of a trip, its items and destination without SQL', async () => {
    trip.statements.length = 0;
    const first = await trip.graphql(READ, { id: tripId }, alice);
    expect(first.body.data.trip).toEqual({ title: 'Lisbon', destination: { name: 'Lisbon' }, items: [] });
    expect(reads()).toBeGreaterThan(0);
    trip.statements.length = 0;
    const second = await trip.graphql(READ, { id: tripId }, alice);
    expect(second.body.data).toEqual(first.body.data);
    expect(reads()).toBe(0);
  });

  it('never shows a cached trip to someone else', async () => {
    const response = await trip.graphql(READ, { id: tripId }, bob);
    expect(response.body.data?.trip ?? null).toBeNull();
  });

  it('is invalidated when the trip or its items change', async () => {
    const updated = await trip.graphql(
      `mutation ($id: ID!) { updateTrip(id: $id, input: { title: "Lisbon and Porto" }) { userErrors { code } } }`,
      { id: tripId },
      alice,
    );
    expect(updated.body.data.updateTrip.userErrors).toEqual([]);
    expect((await trip.graphql(READ, { id: tripId }, alice)).body.data.trip.title).toBe('Lisbon and Porto');

    const added = await trip.graphql(
      `mutation ($id: ID!, $input: ItineraryItemInput!) { addItineraryItem(tripId: $id, input: $input) { userErrors { code } } }`,
      { id: tripId, input: { kind: 'ACTIVITY', title: 'Tram 28', startTime: `${start}T10:00:00Z` } },
      alice,
    );
    expect(added.body.data.addItineraryItem.userErrors).toEqual([]);
    expect((await trip.graphql(READ, { id: tripId }, alice)).body.data.trip.items).toEqual([
      { title: 'Tram 28' },
    ]);

    const deleted = await trip.graphql(
      `mutation ($id: ID!) { deleteTrip(id: $id) { deletedTripId } }`,
      { id: tripId },
      alice,
    );
    expect(deleted.body.data.deleteTrip.deletedTripId).toBe(tripId);
    expect((await trip.graphql(READ, { id: tripId }, alice)).body.data?.trip ?? null).toBeNull();
  });
});
