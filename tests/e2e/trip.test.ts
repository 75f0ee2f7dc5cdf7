/**
 * The trip subgraph end to end: a client talking to the gateway with bearer tokens, the gateway
 * calling the trip subgraph over HTTP with the signed identity, real PostgreSQL underneath.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { currentRequestContext } from '@traveloure/platform';
import { startTestSupergraph, type TestSupergraph } from './support.ts';
import type { Database } from '@traveloure/trip/db/database';
import { addDays } from '@traveloure/trip/trips/trip-dates';

const today = new Date().toISOString().slice(0, 10);
const start = addDays(today, 40);
const end = addDays(start, 4);

const CREATE = `mutation ($input: CreateTripInput!) {
  createTrip(input: $input) { trip { id title region owner { id } } userErrors { field message code } }
}`;
const ADD_ITEM = `mutation ($tripId: ID!, $input: ItineraryItemInput!) {
  addItineraryItem(tripId: $tripId, input: $input) { item { id title } userErrors { field code } }
}`;
const TRIPS = `{ trips(first: 50) { edges { node { owner { name } destination { name } items { title } } } } }`;

let graph: TestSupergraph;
let db: Kysely<Database>;
let alice: string;
let bob: string;
/** Trip statements with the id of the request they served (none for background work). */
const statements: { sql: string; requestId?: string }[] = [];

beforeAll(async () => {
  graph = await startTestSupergraph('trip', {
    services: ['trip'],
    // The statement counts below are the trip subgraph's own: no gateway cache in front of it.
    env: { TRIP_POPULARITY_REFRESH_MS: '0', SUBGRAPH_FETCH_CACHE_ENABLED: 'false' },
    onQuery: (sqlText, service) => {
      // Background work of the trip service (the outbox relay and its transactions, the
      // popularity refresh) runs on its own schedule; the request id the subgraph runs each
      // request under tells which statements served which request.
      if (service === 'trip')
        statements.push({ sql: sqlText, requestId: currentRequestContext()?.requestId });
    },
  });
  db = graph.services.trip!.runtime.db as Kysely<Database>;
  alice = await graph.token('TRAVELER', 'e2e-alice', {
    region: 'EU_WEST',
    name: 'Alice',
    email: 'alice@example.com',
  });
  bob = await graph.token('TRAVELER', 'e2e-bob', { region: 'AP_SOUTH', name: 'Bob' });
});
afterAll(() => graph?.close());

const counts = async () => {
  const count = async (table: 'trip.trips' | 'trip.itinerary_items' | 'trip.outbox') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    trips: await count('trip.trips'),
    items: await count('trip.itinerary_items'),
    events: await count('trip.outbox'),
  };
};

const createTrip = async (token: string, title: string, destinationCode = 'LIS') => {
  const result = await graph.graphql(
    CREATE,
    { input: { title, destinationCode, startDate: start, endDate: end } },
    { token },
  );
  expect(result.body.data.createTrip.userErrors).toEqual([]);
  return result.body.data.createTrip.trip as {
    id: string;
    title: string;
    region: string;
    owner: { id: string };
  };
};

describe('trips through the gateway', () => {
  it('serves destinations to anonymous clients and nothing private', async () => {
    const open = await graph.graphql('{ destinations(first: 3) { code name } }');
    expect(open.status).toBe(200);
    expect(open.body.data.destinations).toHaveLength(3);
    const closed = await graph.graphql('{ me { id } }');
    expect(closed.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      requestId: expect.any(String),
    });
  });

  it('creates a trip, adds items and reads it back with owner and items', async () => {
    const trip = await createTrip(alice, 'Lisbon long weekend');
    expect(trip).toMatchObject({ region: 'EU_WEST', owner: { id: 'e2e-alice' } });
    for (const [title, time] of [
      ['Tram 28', `${addDays(start, 1)}T10:00:00Z`],
      ['Pastéis de Belém', `${start}T16:00:00Z`],
    ] as const) {
      const added = await graph.graphql(
        ADD_ITEM,
        { tripId: trip.id, input: { kind: 'ACTIVITY', title, startTime: time } },
        { token: alice },
      );
      expect(added.body.data.addItineraryItem.userErrors).toEqual([]);
    }
    const read = await graph.graphql(
      'query ($id: ID!) { trip(id: $id) { title durationDays owner { name email } destination { name country } items { title } } }',
      { id: trip.id },
      { token: alice },
    );
    expect(read.body).toEqual({
      data: {
        trip: {
          title: 'Lisbon long weekend',
          durationDays: 5,
          owner: { name: 'Alice', email: 'alice@example.com' },
          destination: { name: 'Lisbon', country: 'Portugal' },
          items: [{ title: 'Pastéis de Belém' }, { title: 'Tram 28' }],
        },
      },
    });
  });

  it('paginates the caller’s trips', async () => {
    for (let index = 0; index < 3; index++) await createTrip(bob, `Bob trip ${index}`, 'SIN');
    const first = await graph.graphql(
      '{ trips(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { title } } } }',
      {},
      { token: bob },
    );
    expect(first.body.data.trips).toMatchObject({
      totalCount: 3,
      pageInfo: { hasNextPage: true },
      edges: [{ node: { title: 'Bob trip 2' } }, { node: { title: 'Bob trip 1' } }],
    });
    const second = await graph.graphql(
      'query ($after: String) { trips(first: 2, after: $after) { pageInfo { hasNextPage } edges { node { title } } } }',
      { after: first.body.data.trips.pageInfo.endCursor },
      { token: bob },
    );
    expect(second.body.data.trips).toEqual({
      pageInfo: { hasNextPage: false },
      edges: [{ node: { title: 'Bob trip 0' } }],
    });
  });

  it("answers another user's trip as NOT_FOUND, like a missing one", async () => {
    const trip = await createTrip(alice, 'Private');
    const theirs = await graph.graphql(
      'query ($id: ID!) { trip(id: $id) { id } }',
      { id: trip.id },
      { token: bob },
    );
    const missing = await graph.graphql(
      'query ($id: ID!) { trip(id: $id) { id } }',
      { id: '00000000-0000-4000-8000-000000000000' },
      { token: bob },
    );
    for (const result of [theirs, missing]) {
      expect(result.body.data).toEqual({ trip: null });
      expect(result.body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    }
    const before = await counts();
    const takeover = await graph.graphql(
      'mutation ($id: ID!) { deleteTrip(id: $id) { deletedTripId userErrors { code } } }',
      { id: trip.id },
      { token: bob },
    );
    expect(takeover.body.data.deleteTrip).toEqual({
      deletedTripId: null,
      userErrors: [{ code: 'NOT_FOUND' }],
    });
    expect(await counts()).toEqual(before);
  });

  it('refuses bad input with field errors or coded errors, writing nothing', async () => {
    const before = await counts();
    const invalid = await graph.graphql(
      CREATE,
      { input: { title: '', destinationCode: 'NOPE', startDate: end, endDate: start, travelers: 40 } },
      { token: alice },
    );
    expect(invalid.body.data.createTrip.trip).toBeNull();
    expect(
      invalid.body.data.createTrip.userErrors.map((error: { field: string[] }) => error.field.join('.')),
    ).toEqual(['input.title', 'input.destinationCode', 'input.endDate', 'input.travelers']);
    const malformed = await graph.graphql(
      CREATE,
      { input: { title: 'x', destinationCode: 'LIS', startDate: 'next tuesday', endDate: end } },
      { token: alice },
    );
    expect(malformed.body.data.createTrip).toEqual({
      trip: null,
      userErrors: [{ field: ['input', 'startDate'], message: expect.any(String), code: 'INVALID_DATE' }],
    });
    const unauthenticated = await graph.graphql(CREATE, {
      input: { title: 'x', destinationCode: 'LIS', startDate: start, endDate: end },
    });
    expect(unauthenticated.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      requestId: expect.any(String),
    });
    const nul = await graph.graphql(
      CREATE,
      { input: { title: 'Lis\u0000bon', destinationCode: 'LIS', startDate: start, endDate: end } },
      { token: alice, headers: { 'x-request-id': 'nul-in-title-0001' } },
    );
    expect(nul.body.errors?.map((error) => error.extensions)).toEqual([
      expect.objectContaining({ code: 'BAD_USER_INPUT', requestId: 'nul-in-title-0001' }),
    ]);
    expect(JSON.stringify([invalid.body, malformed.body, unauthenticated.body, nul.body])).not.toMatch(
      /stacktrace|node_modules|\.ts:\d/,
    );
    const trip = await createTrip(alice, 'Items must fit');
    const afterCreate = await counts();
    const outside = await graph.graphql(
      ADD_ITEM,
      {
        tripId: trip.id,
        input: { kind: 'MEAL', title: 'Too late', startTime: `${addDays(end, 3)}T12:00:00Z` },
      },
      { token: alice },
    );
    expect(outside.body.data.addItineraryItem).toEqual({
      item: null,
      userErrors: [{ field: ['input', 'startTime'], code: 'OUTSIDE_TRIP' }],
    });
    expect(await counts()).toEqual(afterCreate);
    expect(afterCreate).toEqual({ ...before, trips: before.trips + 1, events: before.events + 1 });
  });

  it('refuses an unsigned call made directly to the subgraph with 401', async () => {
    const response = await fetch(graph.services.trip!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` },
      body: JSON.stringify({ query: '{ me { id email } }' }),
    });
    expect(response.status).toBe(401);
    expect(
      ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    ).toBe('UNAUTHENTICATED');
  });

  it('runs the same number of trip statements for 5 trips as for 50', async () => {
    const carol = await graph.token('TRAVELER', 'e2e-carol', { region: 'US_EAST', name: 'Carol' });
    const destinations = ['NYC', 'MEX', 'LIM', 'BOG', 'SCL'];
    const measure = async (requestId: string) => {
      statements.length = 0;
      const result = await graph.graphql(TRIPS, {}, { token: carol, headers: { 'x-request-id': requestId } });
      expect(result.body.errors).toBeUndefined();
      expect(result.headers.get('x-request-id')).toBe(requestId);
      const served = statements
        .filter((statement) => statement.requestId === requestId)
        .map((statement) => statement.sql);
      return { trips: result.body.data.trips.edges.length as number, statements: served.length, sql: served };
    };
    // Cold: the new trips' items are not cached yet, so they are loaded (in one batch); warm:
    // they come from the read cache. Destinations were cached when the trips were created.
    const run = async (label: string) => ({
      cold: await measure(`${label}-cold`),
      warm: await measure(`${label}-warm`),
    });
    for (let index = 0; index < 5; index++) await createTrip(carol, `Carol ${index}`, destinations[index]);
    const five = await run('statement-count-5-trips');
    for (let index = 5; index < 50; index++)
      await createTrip(carol, `Carol ${index}`, destinations[index % 5]);
    const fifty = await run('statement-count-50-trips');
    for (const phase of ['cold', 'warm'] as const) {
      expect([five[phase].trips, fifty[phase].trips]).toEqual([5, 50]);
      const sql = JSON.stringify({ five: five[phase].sql, fifty: fifty[phase].sql }, null, 1);
      expect(fifty[phase].statements, sql).toBe(five[phase].statements);
      expect(five[phase].statements).toBeLessThanOrEqual(5);
      // The request id reached the statements: the page query is among those counted.
      expect(fifty[phase].sql.filter((text) => /from "trip"\."trips"/.test(text))).toHaveLength(1);
    }
    // Cold, the items of 45 new trips are one statement, not 45.
    expect(fifty.cold.sql.filter((text) => /from "trip"\."itinerary_items"/.test(text))).toHaveLength(1);
  });
});
