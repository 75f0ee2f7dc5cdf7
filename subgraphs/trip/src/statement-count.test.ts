import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraphForTest, type TestUser } from './test-support.ts';
import { insertTrip } from './db/trips.repository.ts';
import { insertItem } from './db/items.repository.ts';
import { upsertDestinations } from './db/destinations.repository.ts';
import { seedDestinations } from './db/seed/destinations.ts';
import { addDays } from './trips/trip-dates.ts';

const QUERY = `{ trips(first: 50) { edges { node { owner { name } destination { name } items { title } } } } }`;
const traveler: TestUser = { id: 'user-counted', name: 'Counted', region: 'EU_WEST' };

/**
 * The N+1 guard: the page query, then one batch per loader (owner, destination, items), whatever
 * the number of trips. Counted through the real HTTP path with the service's onQuery hook.
 */
describe('statement count', () => {
  let trip: Awaited<ReturnType<typeof startSubgraphForTest>>;
  beforeAll(async () => {
    trip = await startSubgraphForTest('trip_statements', { seed: false });
    // Seeding off keeps demo trips out; destinations are still needed.
    await upsertDestinations(trip.db, seedDestinations);
    await trip.graphql('{ me { id } }', {}, traveler);
  });
  afterAll(() => trip?.close());

  const addTrips = async (from: number, to: number) => {
    for (let index = from; index < to; index++) {
      const start = addDays('2027-06-01', index);
      const row = await insertTrip(trip.db, {
        region: 'EU_WEST',
        user_id: traveler.id,
        title: `Trip ${index}`,
        destination_code: seedDestinations[index % seedDestinations.length]!.code,
        start_date: start,
        end_date: addDays(start, 2),
        travelers: 1,
        budget: 'BUDGET',
        pace: 'RELAXED',
      });
      for (const hour of ['09', '14']) {
        await insertItem(trip.db, {
          trip_id: row.id,
          trip_region: 'EU_WEST',
          kind: 'ACTIVITY',
          title: `Item ${index}/${hour}`,
          start_time: new Date(`${addDays(start, 1)}T${hour}:00:00Z`),
        });
      }
    }
  };

  // Counted by request id: the outbox relay polls in the background on its own schedule, and
  // its statements must not be taken for the request's.
  const run = async (requestId: string) => {
    const response = await trip.graphqlAs(requestId, QUERY, traveler);
    expect(response.body.errors).toBeUndefined();
    return {
      edges: response.body.data.trips.edges as { node: { items: unknown[] } }[],
      statements: trip.statementsOf(requestId),
    };
  };

  it('is the same for 5 trips as for 50', async () => {
    await addTrips(0, 5);
    const five = await run('count-5-trips');
    expect(five.edges).toHaveLength(5);
    expect(five.edges.every((edge) => edge.node.items.length === 2)).toBe(true);

    await addTrips(5, 50);
    const fifty = await run('count-50-trips');
    expect(fifty.edges).toHaveLength(50);
    expect(fifty.edges.every((edge) => edge.node.items.length === 2)).toBe(true);

    expect(
      fifty.statements.length,
      JSON.stringify({ five: five.statements, fifty: fifty.statements }, null, 1),
    ).toBe(five.statements.length);
    // trips page + users + destinations + items (+ the provisioning upsert, when claims changed)
    expect(five.statements.length).toBeLessThanOrEqual(5);
    expect(fifty.statements.filter((text) => /from "trip"\."itinerary_items"/.test(text))).toHaveLength(1);
    expect(fifty.statements.filter((text) => /from "trip"\."destinations"/.test(text))).toHaveLength(1);
  });

  it('provisions a signed-in caller once per claims, not on every request', async () => {
    const upserts = (requestId: string) =>
      trip.statementsOf(requestId).filter((text) => /insert into trip\.users/i.test(text));
    const newcomer: TestUser = { id: 'user-provisioned-once', name: 'Once', region: 'US_EAST' };
    await trip.graphqlAs('provision-first', '{ me { name } }', newcomer);
    await trip.graphqlAs('provision-again', '{ me { name } }', newcomer);
    expect(upserts('provision-first')).toHaveLength(1);
    expect(upserts('provision-again')).toHaveLength(0);
    const renamed = await trip.graphqlAs('provision-renamed', '{ me { name } }', {
      ...newcomer,
      name: 'Twice',
    });
    expect(upserts('provision-renamed')).toHaveLength(1);
    expect(renamed.body.data.me.name).toBe('Twice');
  });
});
