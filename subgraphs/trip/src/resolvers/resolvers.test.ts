import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraphForTest, type TestUser } from '../test-support.ts';
import { addDays } from '../trips/trip-dates.ts';

const alice: TestUser = { id: 'user-alice', email: 'alice@example.com', name: 'Alice', region: 'EU_WEST' };
const bob: TestUser = { id: 'user-bob', email: 'bob@example.com', name: 'Bob', region: 'AP_SOUTH' };
const admin: TestUser = { id: 'user-admin', roles: ['ADMIN'], name: 'Ada Admin', region: 'US_EAST' };
const analyst: TestUser = { id: 'user-analyst', roles: ['ANALYST'], name: 'Ann', region: 'US_EAST' };

const today = new Date().toISOString().slice(0, 10);
const start = addDays(today, 30);
const end = addDays(start, 3);

const CREATE = `mutation ($input: CreateTripInput!) {
  createTrip(input: $input) {
    trip { id title region destinationCode startDate endDate durationDays travelers budget pace
           owner { id name email } destination { code timezone } items { id } }
    userErrors { field message code }
  }
}`;
const ADD_ITEM = `mutation ($tripId: ID!, $input: ItineraryItemInput!) {
  addItineraryItem(tripId: $tripId, input: $input) {
    item { id kind title startTime endTime cost { amount currency } trip { id } }
    trip { id items { id } }
    userErrors { field message code }
  }
}`;

describe('trip subgraph over HTTP', () => {
  let trip: Awaited<ReturnType<typeof startSubgraphForTest>>;
  beforeAll(async () => {
    trip = await startSubgraphForTest('trip_resolvers');
  });
  afterAll(() => trip?.close());

  const count = async (table: 'trip.trips' | 'trip.itinerary_items' | 'trip.outbox') =>
    Number(
      (
        await trip.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const snapshot = async () => ({
    trips: await count('trip.trips'),
    items: await count('trip.itinerary_items'),
    events: await count('trip.outbox'),
  });
  const createTrip = async (user: TestUser, input: Record<string, unknown> = {}) => {
    const response = await trip.graphql(
      CREATE,
      {
        input: {
          title: 'Paris',
          destinationCode: 'PAR',
          startDate: start,
          endDate: end,
          travelers: 2,
          ...input,
        },
      },
      user,
    );
    return response.body.data!.createTrip;
  };

  it('refuses calls without the gateway signature', async () => {
    const response = await fetch(trip.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ destinations(first: 1) { code } }' }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers destinations to anyone, and the rest only to a signed-in user', async () => {
    const public_ = await trip.graphql(
      '{ destinations(search: "tok", first: 3) { code name timezone } destination(code: "par") { name } }',
    );
    expect(public_.body.data).toEqual({
      destinations: [{ code: 'TYO', name: 'Tokyo', timezone: 'Asia/Tokyo' }],
      destination: { name: 'Paris' },
    });
    for (const query of [
      '{ me { id } }',
      '{ trips { totalCount } }',
      '{ user(id: "user-demo-us") { id } }',
    ]) {
      const response = await trip.graphql(query);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const before = await snapshot();
    const mutation = await trip.graphql(CREATE, {
      input: { title: 'x', destinationCode: 'PAR', startDate: start, endDate: end },
    });
    expect(mutation.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await snapshot()).toEqual(before);
  });

  it('provisions the user from the identity claims on the first request', async () => {
    const first = await trip.graphql('{ me { id name email region trips { totalCount } } }', {}, alice);
    expect(first.body.data.me).toEqual({
      id: 'user-alice',
      name: 'Alice',
      email: 'alice@example.com',
      region: 'EU_WEST',
      trips: { totalCount: 0 },
    });
    await trip.graphql('{ me { name } }', {}, { ...alice, name: 'Alice Liddell' });
    await trip.graphql('{ me { name } }', {}, { ...alice, name: 'Alice Liddell' });
    const events = await trip.db
      .selectFrom('trip.outbox')
      .select(['event_type', 'payload'])
      .where('aggregate_id', '=', 'user-alice')
      .orderBy('created_at')
      .execute();
    expect(events.map((event) => event.event_type)).toEqual(['user.created', 'user.updated']);
    expect(events[1]!.payload).toEqual({
      userId: 'user-alice',
      email: 'alice@example.com',
      name: 'Alice Liddell',
      region: 'EU_WEST',
    });
    await trip.graphql('{ me { name } }', {}, alice);
  });

  it('creates a trip owned by the caller in their region, with its event', async () => {
    const before = await snapshot();
    const result = await createTrip(alice, {
      title: '  Paris in spring  ',
      destinationCode: 'par',
      budget: 'LUXURY',
    });
    expect(result.userErrors).toEqual([]);
    expect(result.trip).toMatchObject({
      title: 'Paris in spring',
      region: 'EU_WEST',
      destinationCode: 'PAR',
      startDate: start,
      endDate: end,
      durationDays: 4,
      travelers: 2,
      budget: 'LUXURY',
      pace: 'MODERATE',
      owner: { id: 'user-alice', email: 'alice@example.com' },
      destination: { code: 'PAR', timezone: 'Europe/Paris' },
      items: [],
    });
    expect(await snapshot()).toEqual({ ...before, trips: before.trips + 1, events: before.events + 1 });
    const event = await trip.db
      .selectFrom('trip.outbox')
      .selectAll()
      .where('aggregate_id', '=', result.trip.id)
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      aggregate_type: 'trip',
      event_type: 'trip.created',
      payload: {
        tripId: result.trip.id,
        userId: 'user-alice',
        title: 'Paris in spring',
        destinationCode: 'PAR',
        startDate: start,
        endDate: end,
        region: 'EU_WEST',
      },
    });
  });

  it('returns every validation failure by field and writes nothing', async () => {
    const before = await snapshot();
    const result = await createTrip(alice, {
      title: 'x'.repeat(121),
      destinationCode: 'XXX',
      endDate: addDays(start, -1),
      travelers: 21,
    });
    expect(result.trip).toBeNull();
    expect(
      result.userErrors.map((error: { field: string[]; code: string }) => [
        error.field.join('.'),
        error.code,
      ]),
    ).toEqual([
      ['input.title', 'TOO_LONG'],
      ['input.destinationCode', 'UNKNOWN_DESTINATION'],
      ['input.endDate', 'END_BEFORE_START'],
      ['input.travelers', 'OUT_OF_RANGE'],
    ]);
    const tooLong = await createTrip(alice, { endDate: addDays(start, 90) });
    expect(tooLong.userErrors).toMatchObject([{ field: ['input', 'endDate'], code: 'TOO_LONG' }]);

    const badDate = await trip.graphql(
      CREATE,
      {
        input: { title: 'x', destinationCode: 'PAR', startDate: '2027-02-30', endDate: 'soon' },
      },
      alice,
    );
    expect(badDate.body.data.createTrip).toEqual({
      trip: null,
      userErrors: [
        { field: ['input', 'startDate'], message: expect.any(String), code: 'INVALID_DATE' },
        { field: ['input', 'endDate'], message: expect.any(String), code: 'INVALID_DATE' },
      ],
    });
    const notAString = await trip.graphql(
      CREATE,
      {
        input: { title: 'x', destinationCode: 'PAR', startDate: 20270501, endDate: end },
      },
      alice,
    );
    expect(notAString.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(notAString.body)).not.toMatch(/stack|node_modules/);
    // PostgreSQL text cannot hold NUL: refused as the client's error, in variables or literals.
    const nulTitle = await trip.graphql(
      CREATE,
      {
        input: { title: 'Par\u0000is', destinationCode: 'PAR', startDate: start, endDate: end },
      },
      alice,
    );
    expect(nulTitle.status).toBe(400);
    expect(nulTitle.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'title'],
      requestId: expect.any(String),
    });
    for (const query of ['{ destinations(search: "a\\u0000") { code } }', '{ user(id: "\\u0000") { id } }']) {
      const literal = await trip.graphql(query, {}, alice);
      expect(literal.body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('has no way to set or change the owner', async () => {
    const response = await trip.graphql(
      CREATE,
      {
        input: { title: 'x', destinationCode: 'PAR', startDate: start, endDate: end, owner: 'user-bob' },
      },
      alice,
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const update = await trip.graphql(
      'mutation { updateTrip(id: "x", input: { userId: "user-bob" }) { trip { id } } }',
      {},
      alice,
    );
    expect(update.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it("answers another user's trip exactly like a missing one", async () => {
    const own = (await createTrip(alice)).trip;
    const missing = '00000000-0000-4000-8000-000000000000';
    const ask = async (user: TestUser, id: string) => {
      const response = await trip.graphql('query ($id: ID!) { trip(id: $id) { id title } }', { id }, user);
      return {
        data: response.body.data,
        codes: response.body.errors?.map((error) => error.extensions?.code),
      };
    };
    expect(await ask(bob, own.id)).toEqual({ data: { trip: null }, codes: ['NOT_FOUND'] });
    expect(await ask(bob, missing)).toEqual({ data: { trip: null }, codes: ['NOT_FOUND'] });
    expect(await ask(bob, 'not-even-a-uuid')).toEqual({ data: { trip: null }, codes: ['NOT_FOUND'] });
    expect(await ask(alice, own.id)).toEqual({
      data: { trip: { id: own.id, title: 'Paris' } },
      codes: undefined,
    });
    expect(await ask(admin, own.id)).toEqual({
      data: { trip: { id: own.id, title: 'Paris' } },
      codes: undefined,
    });

    const before = await snapshot();
    const mutations = await trip.graphql(
      `mutation ($id: ID!, $at: DateTime!) {
        updateTrip(id: $id, input: { title: "mine now" }) { trip { id } userErrors { field code } }
        deleteTrip(id: $id) { deletedTripId userErrors { field code } }
        addItineraryItem(tripId: $id, input: { kind: NOTE, title: "x", startTime: $at }) { item { id } userErrors { field code } }
      }`,
      { id: own.id, at: `${start}T12:00:00Z` },
      bob,
    );
    expect(mutations.body.data).toEqual({
      updateTrip: { trip: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] },
      deleteTrip: { deletedTripId: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] },
      addItineraryItem: { item: null, userErrors: [{ field: ['tripId'], code: 'NOT_FOUND' }] },
    });
    expect(await snapshot()).toEqual(before);

    const entities = await trip.graphql(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Trip { id destinationCode startDate } } }',
      { r: [{ __typename: 'Trip', id: own.id }] },
      bob,
    );
    expect(entities.body.data._entities).toEqual([null]);
  });

  it('shows email and trips only to the user themself and admins', async () => {
    const query = '{ user(id: "user-alice") { id name email trips { totalCount edges { node { id } } } } }';
    const asBob = await trip.graphql(query, {}, bob);
    expect(asBob.body.data.user).toEqual({
      id: 'user-alice',
      name: 'Alice',
      email: null,
      trips: { totalCount: 0, edges: [] },
    });
    const asAdmin = await trip.graphql(query, {}, admin);
    expect(asAdmin.body.data.user.email).toBe('alice@example.com');
    expect(asAdmin.body.data.user.trips.totalCount).toBeGreaterThan(0);
    const missing = await trip.graphql('{ user(id: "nobody") { id } }', {}, bob);
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('keeps itinerary items inside the trip, in time order', async () => {
    const own = (await createTrip(alice)).trip;
    // Paris is UTC+1 in winter and UTC+2 in summer: the first local minute of the trip is
    // the previous UTC day.
    const firstMinute = new Date(`${start}T00:00:00Z`);
    const before = await snapshot();
    const outside = await trip.graphql(
      ADD_ITEM,
      {
        tripId: own.id,
        input: {
          kind: 'ACTIVITY',
          title: 'Too early',
          startTime: new Date(firstMinute.getTime() - 3 * 3600_000).toISOString(),
        },
      },
      alice,
    );
    expect(outside.body.data.addItineraryItem).toMatchObject({
      item: null,
      userErrors: [{ field: ['input', 'startTime'], code: 'OUTSIDE_TRIP' }],
    });
    const badMoney = await trip.graphql(
      ADD_ITEM,
      {
        tripId: own.id,
        input: {
          kind: 'MEAL',
          title: 'Lunch',
          startTime: `${start}T11:00:00Z`,
          cost: { amount: '12.345', currency: 'eur' },
        },
      },
      alice,
    );
    expect(
      badMoney.body.data.addItineraryItem.userErrors.map((error: { field: string[] }) =>
        error.field.join('.'),
      ),
    ).toEqual(['input.cost.amount', 'input.cost.currency']);
    expect(await snapshot()).toEqual(before);

    const later = await trip.graphql(
      ADD_ITEM,
      {
        tripId: own.id,
        input: {
          kind: 'ACTIVITY',
          title: 'Louvre',
          startTime: `${addDays(start, 1)}T09:00:00Z`,
          endTime: `${addDays(start, 1)}T12:00:00Z`,
          cost: { amount: '22', currency: 'EUR' },
        },
      },
      alice,
    );
    expect(later.body.data.addItineraryItem).toMatchObject({
      item: {
        kind: 'ACTIVITY',
        title: 'Louvre',
        cost: { amount: '22.00', currency: 'EUR' },
        trip: { id: own.id },
      },
      userErrors: [],
    });
    const earlier = await trip.graphql(
      ADD_ITEM,
      {
        tripId: own.id,
        input: { kind: 'LODGING', title: 'Hotel', startTime: `${start}T15:00:00+01:00` },
      },
      alice,
    );
    expect(earlier.body.data.addItineraryItem.trip.items).toHaveLength(2);
    const itemId = earlier.body.data.addItineraryItem.item.id as string;

    const read = await trip.graphql(
      'query ($id: ID!) { trip(id: $id) { items { title startTime } } }',
      { id: own.id },
      alice,
    );
    expect(read.body.data.trip.items.map((item: { title: string }) => item.title)).toEqual([
      'Hotel',
      'Louvre',
    ]);
    expect(read.body.data.trip.items[0].startTime).toBe(`${start}T14:00:00.000Z`);

    // Shrinking the trip past its items is refused, and nothing changes.
    const beforeShrink = await snapshot();
    const shrink = await trip.graphql(
      'mutation ($id: ID!, $end: Date!) { updateTrip(id: $id, input: { endDate: $end, startDate: $end }) { trip { id } userErrors { field code } } }',
      {
        id: own.id,
        end: addDays(start, 2),
      },
      alice,
    );
    expect(shrink.body.data.updateTrip).toEqual({
      trip: null,
      userErrors: [{ field: ['input', 'startDate'], code: 'ITEMS_OUTSIDE_TRIP' }],
    });
    expect(await snapshot()).toEqual(beforeShrink);
    const unchanged = await trip.graphql(
      'query ($id: ID!) { trip(id: $id) { startDate endDate } }',
      {
        id: own.id,
      },
      alice,
    );
    expect(unchanged.body.data.trip).toEqual({ startDate: start, endDate: end });

    const update = await trip.graphql(
      'mutation ($id: ID!) { updateItineraryItem(id: $id, input: { title: "Hotel Lutetia", notes: "late check-in", cost: { amount: "410.50", currency: "EUR" } }) { item { title notes cost { amount } } userErrors { code } } }',
      { id: itemId },
      alice,
    );
    expect(update.body.data.updateItineraryItem).toEqual({
      item: { title: 'Hotel Lutetia', notes: 'late check-in', cost: { amount: '410.50' } },
      userErrors: [],
    });
    const clear = await trip.graphql(
      'mutation ($id: ID!) { updateItineraryItem(id: $id, input: { notes: null, cost: null }) { item { title notes cost { amount } } } }',
      { id: itemId },
      alice,
    );
    expect(clear.body.data.updateItineraryItem.item).toEqual({
      title: 'Hotel Lutetia',
      notes: null,
      cost: null,
    });
    const moveOut = await trip.graphql(
      'mutation ($id: ID!, $at: DateTime!) { updateItineraryItem(id: $id, input: { startTime: $at }) { item { id } userErrors { field code } } }',
      { id: itemId, at: `${addDays(end, 2)}T10:00:00Z` },
      alice,
    );
    expect(moveOut.body.data.updateItineraryItem.userErrors).toEqual([
      { field: ['input', 'startTime'], code: 'OUTSIDE_TRIP' },
    ]);

    const asBob = await trip.graphql(
      'mutation ($id: ID!) { removeItineraryItem(id: $id) { removedItemId userErrors { field code } } }',
      { id: itemId },
      bob,
    );
    expect(asBob.body.data.removeItineraryItem).toEqual({
      removedItemId: null,
      userErrors: [{ field: ['id'], code: 'NOT_FOUND' }],
    });
    // Someone else's item is as missing as the trip: no change, no entity, nothing written.
    const beforeBob = await snapshot();
    const bobUpdates = await trip.graphql(
      'mutation ($id: ID!) { updateItineraryItem(id: $id, input: { title: "mine now" }) { item { id } trip { id } userErrors { field code } } }',
      { id: itemId },
      bob,
    );
    expect(bobUpdates.body.data.updateItineraryItem).toEqual({
      item: null,
      trip: null,
      userErrors: [{ field: ['id'], code: 'NOT_FOUND' }],
    });
    const bobEntity = await trip.graphql(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on ItineraryItem { title } } }',
      {
        r: [{ __typename: 'ItineraryItem', id: itemId }],
      },
      bob,
    );
    expect(bobEntity.body.data._entities).toEqual([null]);
    expect(await snapshot()).toEqual(beforeBob);
    const stillAlices = await trip.graphql(
      'query ($id: ID!) { trip(id: $id) { items { title } } }',
      {
        id: own.id,
      },
      alice,
    );
    expect(stillAlices.body.data.trip.items).toEqual([{ title: 'Hotel Lutetia' }, { title: 'Louvre' }]);
    const removed = await trip.graphql(
      'mutation ($id: ID!) { removeItineraryItem(id: $id) { removedItemId trip { items { title } } userErrors { code } } }',
      { id: itemId },
      alice,
    );
    expect(removed.body.data.removeItineraryItem).toEqual({
      removedItemId: itemId,
      trip: { items: [{ title: 'Louvre' }] },
      userErrors: [],
    });

    const entity = await trip.graphql(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on ItineraryItem { title trip { id } } } }',
      {
        r: [{ __typename: 'ItineraryItem', id: later.body.data.addItineraryItem.item.id }],
      },
      alice,
    );
    expect(entity.body.data._entities).toEqual([{ title: 'Louvre', trip: { id: own.id } }]);
  });

  it('updates and deletes a trip with events, items going with it', async () => {
    const own = (await createTrip(bob, { title: 'Bali', destinationCode: 'DPS' })).trip;
    await trip.graphql(
      ADD_ITEM,
      {
        tripId: own.id,
        input: { kind: 'NOTE', title: 'Pack', startTime: `${start}T06:00:00Z` },
      },
      bob,
    );
    const updated = await trip.graphql(
      'mutation ($id: ID!) { updateTrip(id: $id, input: { title: "Bali and Lombok", travelers: 3, pace: RELAXED }) { trip { title travelers pace region } userErrors { code } } }',
      { id: own.id },
      bob,
    );
    expect(updated.body.data.updateTrip).toEqual({
      trip: { title: 'Bali and Lombok', travelers: 3, pace: 'RELAXED', region: 'AP_SOUTH' },
      userErrors: [],
    });
    const invalid = await trip.graphql(
      'mutation ($id: ID!) { updateTrip(id: $id, input: { destinationCode: "QQQ", travelers: 0 }) { trip { id } userErrors { field code } } }',
      { id: own.id },
      bob,
    );
    expect(invalid.body.data.updateTrip.userErrors).toEqual([
      { field: ['input', 'destinationCode'], code: 'UNKNOWN_DESTINATION' },
      { field: ['input', 'travelers'], code: 'OUT_OF_RANGE' },
    ]);

    const deleted = await trip.graphql(
      'mutation ($id: ID!) { deleteTrip(id: $id) { deletedTripId userErrors { code } } }',
      { id: own.id },
      bob,
    );
    expect(deleted.body.data.deleteTrip).toEqual({ deletedTripId: own.id, userErrors: [] });
    expect(
      await trip.db.selectFrom('trip.itinerary_items').select('id').where('trip_id', '=', own.id).execute(),
    ).toEqual([]);
    const events = await trip.db
      .selectFrom('trip.outbox')
      .select(['event_type', 'payload'])
      .where('aggregate_id', '=', own.id)
      .orderBy('created_at')
      .execute();
    expect(events.map((event) => event.event_type)).toEqual(['trip.created', 'trip.updated', 'trip.deleted']);
    expect(events[1]!.payload).toMatchObject({
      title: 'Bali and Lombok',
      destinationCode: 'DPS',
      region: 'AP_SOUTH',
    });
    expect(events[2]!.payload).toEqual({ tripId: own.id, userId: 'user-bob' });
    const again = await trip.graphql(
      'mutation ($id: ID!) { deleteTrip(id: $id) { deletedTripId userErrors { code } } }',
      { id: own.id },
      bob,
    );
    expect(again.body.data.deleteTrip).toEqual({ deletedTripId: null, userErrors: [{ code: 'NOT_FOUND' }] });
  });

  it('pages the caller’s trips with cursors and a total', async () => {
    const carol: TestUser = { id: 'user-carol', name: 'Carol', region: 'US_EAST' };
    const titles = [];
    for (let index = 0; index < 5; index++)
      titles.push((await createTrip(carol, { title: `Trip ${index}` })).trip.title);
    const PAGE =
      'query ($after: String) { trips(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { title } } } }';
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const response: { body: { data?: any } } = await trip.graphql(PAGE, { after }, carol);
      const connection: any = response.body.data.trips;
      expect(connection.totalCount).toBe(5);
      seen.push(...connection.edges.map((edge: { node: { title: string } }) => edge.node.title));
      pages++;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...titles].reverse());
    // Cursors are opaque, but a client can forge one that decodes: its values must not reach SQL casts.
    const forged = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const forgedCursors = [
      forged(['yesterday', '00000000-0000-4000-8000-000000000000']),
      forged(['2026-11-26 10:00:00+00', 'not-a-uuid']),
      forged([12, 34]),
    ];
    for (const [variables, field] of [
      [{ after: 'garbage' }, 'after'],
      ...forgedCursors.map((after) => [{ after }, 'after'] as const),
      [{ first: 0 }, 'first'],
      [{ first: 101 }, 'first'],
    ] as const) {
      const response = await trip.graphql(
        'query ($after: String, $first: Int) { trips(first: $first, after: $after) { totalCount } }',
        variables,
        carol,
      );
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: [field] });
    }
  });

  it('gives destination popularity to analysts and admins only', async () => {
    const denied = await trip.graphql('{ destinationPopularity { tripCount } }', {}, alice);
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const allowed = await trip.graphql(
      '{ destinationPopularity(days: 7, first: 3) { destination { code } tripCount travelerCount } }',
      {},
      analyst,
    );
    expect(allowed.body.errors).toBeUndefined();
    expect(Array.isArray(allowed.body.data.destinationPopularity)).toBe(true);
    const badDays = await trip.graphql('{ destinationPopularity(days: 0) { tripCount } }', {}, admin);
    expect(badDays.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['days'] });
  });
});
