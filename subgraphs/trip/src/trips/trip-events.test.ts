/**
 * What trip writes to its outbox is what the published contract describes, field for field:
 * every event a real sign-in, trip change and deletion (and the seed) leaves parses under its type's schema
 * held strict, so a field renamed, added or retyped on the producer's side fails here before a
 * consumer skips it as malformed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventContracts, type PublishedEventType } from '@traveloure/platform/events/contracts';
import { startSubgraphForTest, type SubgraphForTest, type TestUser } from '../test-support.ts';
import { addDays } from './trip-dates.ts';

const traveler: TestUser = {
  id: 'user-contract',
  email: 'casey@example.com',
  name: 'Casey',
  region: 'EU_WEST',
};
const start = addDays(new Date().toISOString().slice(0, 10), 30);

describe("trip's events and the published contract", () => {
  let trip: SubgraphForTest;
  beforeAll(async () => {
    trip = await startSubgraphForTest('trip_contract');
  });
  afterAll(() => trip?.close());

  const outbox = () =>
    trip.db
      .selectFrom('trip.outbox')
      .select(['aggregate_id', 'event_type', 'payload'])
      .orderBy('created_at')
      .execute();

  it('writes user, trip and deletion events that parse, strictly, under the contract', async () => {
    const created = await trip.graphql(
      `mutation ($input: CreateTripInput!) { createTrip(input: $input) { trip { id } userErrors { message } } }`,
      {
        input: {
          title: 'Lisbon',
          destinationCode: 'LIS',
          startDate: start,
          endDate: addDays(start, 4),
          travelers: 2,
          budget: 'MIDRANGE',
          pace: 'RELAXED',
        },
      },
      traveler,
    );
    const tripId = created.body.data.createTrip.trip.id as string;
    await trip.graphql(
      `mutation ($id: ID!) { updateTrip(id: $id, input: { title: "Lisbon and Sintra" }) { trip { id } } }`,
      { id: tripId },
      traveler,
    );
    await trip.graphql(
      `mutation ($id: ID!) { deleteTrip(id: $id) { deletedTripId } }`,
      { id: tripId },
      traveler,
    );

    // The seed's events are in the outbox too: all of them are held to the contract.
    const events = await outbox();
    const ours = events.filter((event) => [traveler.id, tripId].includes(event.aggregate_id));
    expect(ours.map((event) => event.event_type)).toEqual([
      'user.created',
      'trip.created',
      'trip.updated',
      'trip.deleted',
    ]);
    for (const event of events) {
      const schema = eventContracts[event.event_type as PublishedEventType];
      expect(schema, event.event_type).toBeDefined();
      const parsed = schema.strict().safeParse(event.payload);
      expect(parsed.error?.issues ?? [], event.event_type).toEqual([]);
    }
    expect(ours[1]!.payload).toMatchObject({ tripId, userId: traveler.id, travelers: 2, pace: 'RELAXED' });
    // The same payload with one field renamed, as a producer drifting from the contract would write it.
    const { destinationCode, ...rest } = ours[1]!.payload as Record<string, unknown>;
    const renamed = eventContracts['trip.created']
      .strict()
      .safeParse({ ...rest, destination: destinationCode });
    expect(renamed.error?.issues.map((issue) => issue.code).sort()).toEqual([
      'invalid_type',
      'unrecognized_keys',
    ]);
  });
});
