/**
 * No optimization of the request path (the gateway's response cache, merging of identical
 * in-flight calls, the subgraphs' caches) may hand one caller another's data: two travelers
 * fire the same operations at the same moment, many times over, and each sees only their own.
 * A mutation is never merged or cached. Written against the public behaviour only, so it holds
 * whatever mechanism sits in between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { createHash } from 'node:crypto';
import type { Database } from '@traveloure/trip/db/database';
import { addDays } from '@traveloure/trip/trips/trip-dates';
import { startTestSupergraph, type TestSupergraph } from './support.ts';

const ROUNDS = 50;
const start = addDays(new Date().toISOString().slice(0, 10), 30);
const end = addDays(start, 3);

const TRIP_PAGE =
  'query TripPage($id: ID!) { trip(id: $id) { id title owner { id name } destination { code name } items { title } } }';
const MY_TRIPS_POST = '{ me { id name trips(first: 20) { totalCount edges { node { id title } } } } }';
const CREATE = `mutation ($input: CreateTripInput!) { createTrip(input: $input) { trip { id title owner { id } } userErrors { code } } }`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let graph: TestSupergraph;
let db: Kysely<Database>;
const travelers = {
  alice: { id: 'leak-alice', name: 'Alice', token: '', trips: [] as string[] },
  bob: { id: 'leak-bob', name: 'Bob', token: '', trips: [] as string[] },
};
type Name = keyof typeof travelers;

beforeAll(async () => {
  graph = await startTestSupergraph('no_leak', { services: ['trip'] });
  db = graph.services.trip!.runtime.db as Kysely<Database>;
  for (const [key, traveler] of Object.entries(travelers)) {
    traveler.token = await graph.token('TRAVELER', traveler.id, { name: traveler.name, region: 'EU_WEST' });
    for (const title of [`${key} in Lisbon`, `${key} in Paris`]) {
      traveler.trips.push(
        await graph.createTrip(traveler.token, {
          title,
          destinationCode: title.endsWith('Lisbon') ? 'LIS' : 'PAR',
          startDate: start,
          endDate: end,
        }),
      );
    }
  }
});
afterAll(() => graph?.close());

/** A GET persisted query by hash, as a client using APQ or the manifest sends it. */
async function getPersisted(query: string, variables: object, token: string) {
  const url = `${graph.gatewayUrl}?extensions=${encodeURIComponent(
    JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(query) } }),
  )}&variables=${encodeURIComponent(JSON.stringify(variables))}`;
  const response = await fetch(url, {
    headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` },
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

/**
 * Everything of the other traveler that must never show up in `who`'s answers (the data; an
 * error may repeat the id the caller asked for, which is the caller's own input).
 */
function assertOnlyOwn(who: Name, answer: { data?: unknown }) {
  const other = travelers[who === 'alice' ? 'bob' : 'alice'];
  const text = JSON.stringify(answer.data ?? null);
  expect(text).not.toContain(other.id);
  expect(text).not.toContain(`"${other.name}"`);
  for (const tripId of other.trips) expect(text).not.toContain(tripId);
  expect(text).not.toContain(who === 'alice' ? 'bob in' : 'alice in');
}

describe('no optimization leaks', () => {
  it('two travelers firing the same operations at once only ever see their own data', async () => {
    // Register the trip page as an APQ document, so it can travel as a GET by hash too.
    const registered = await graph.graphql(
      TRIP_PAGE,
      { id: travelers.alice.trips[0] },
      {
        token: travelers.alice.token,
        headers: {},
      },
    );
    expect(registered.body.data.trip.title).toBe('alice in Lisbon');
    await fetch(graph.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${travelers.alice.token}` },
      body: JSON.stringify({
        query: TRIP_PAGE,
        variables: { id: travelers.alice.trips[0] },
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(TRIP_PAGE) } },
      }),
    });
    const myTripsId = sha256(
      'query MyTrips($first: Int = 10) {\n  me {\n    id\n    name\n    trips(first: $first) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          startDate\n          endDate\n          destination {\n            code\n            name\n          }\n        }\n      }\n    }\n  }\n}',
    );
    const allTrips = [...travelers.alice.trips, ...travelers.bob.trips];

    // Answers served from the gateway's per-caller entries: they must be as much each caller's own.
    let hits = 0;
    const requests: Promise<void>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const who of ['alice', 'bob'] as const) {
        const { token, id, trips } = travelers[who];
        // The same document and variables for both: only the identity differs.
        const tripId = allTrips[round % allTrips.length]!;
        const own = trips.includes(tripId);
        requests.push(
          graph.graphql(TRIP_PAGE, { id: tripId }, { token }).then((answer) => {
            assertOnlyOwn(who, answer.body);
            if (own) expect(answer.body.data.trip.owner.id).toBe(id);
            else expect(answer.body.data?.trip ?? null).toBeNull();
          }),
          getPersisted(TRIP_PAGE, { id: tripId }, token).then((answer) => {
            assertOnlyOwn(who, answer.body);
            if (own) expect(answer.body.data.trip.owner.id).toBe(id);
            if (answer.headers.get('x-cache') === 'HIT') hits++;
          }),
          graph.graphql(MY_TRIPS_POST, {}, { token }).then((answer) => {
            assertOnlyOwn(who, answer.body);
            expect(answer.body.data.me.id).toBe(id);
            expect(answer.body.data.me.trips.totalCount).toBe(2);
          }),
          fetch(
            `${graph.gatewayUrl}?extensions=${encodeURIComponent(
              JSON.stringify({ persistedQuery: { version: 1, sha256Hash: myTripsId } }),
            )}`,
            { headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` } },
          ).then(async (response) => {
            const body = (await response.json()) as any;
            assertOnlyOwn(who, body);
            expect(body.data.me.id).toBe(id);
            expect(body.data.me.trips.edges.map((edge: any) => edge.node.id).sort()).toEqual(
              [...trips].sort(),
            );
            if (response.headers.get('x-cache') === 'HIT') hits++;
          }),
        );
      }
    }
    await Promise.all(requests);
    // The caches were in play (hints make both pages cacheable per caller), not bypassed.
    expect(hits).toBeGreaterThan(0);
  });

  it('never merges or caches a mutation: two identical createTrip calls at once make two trips', async () => {
    const input = { title: 'Twin trip', destinationCode: 'LIS', startDate: start, endDate: end };
    const countTwins = async () =>
      Number(
        (
          await db
            .selectFrom('trip.trips')
            .where('title', '=', 'Twin trip')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await countTwins();
    const [first, second] = await Promise.all([
      graph.graphql(CREATE, { input }, { token: travelers.alice.token }),
      graph.graphql(CREATE, { input }, { token: travelers.alice.token }),
    ]);
    const ids = [first, second].map((answer) => answer.body.data.createTrip.trip.id as string);
    expect(new Set(ids).size).toBe(2);
    expect(await countTwins()).toBe(before + 2);
    for (const answer of [first, second]) expect(answer.headers.get('x-cache')).toBeNull();

    // The same mutation from two travelers at once: each owns the trip made for them.
    const [forAlice, forBob] = await Promise.all([
      graph.graphql(CREATE, { input }, { token: travelers.alice.token }),
      graph.graphql(CREATE, { input }, { token: travelers.bob.token }),
    ]);
    expect(forAlice.body.data.createTrip.trip.owner.id).toBe(travelers.alice.id);
    expect(forBob.body.data.createTrip.trip.owner.id).toBe(travelers.bob.id);
    expect(await countTwins()).toBe(before + 4);
  });
});
