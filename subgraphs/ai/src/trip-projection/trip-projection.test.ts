import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { seedExperts } from '../db/seed/experts.ts';
import { startSubgraphForTest, tripCreated, type SubgraphForTest } from '../test-support.ts';

const start = `mutation ($expertId: ID!, $tripId: ID) {
  startConversation(expertId: $expertId, tripId: $tripId) { conversation { id } userErrors { code } }
}`;

// The trip events reach ai.trip_projection through the outbox relay and the ai consumer; Redis
// down in between loses nothing, and a republished event changes nothing.
describe('ai trip projection from trip events (private redis-server)', () => {
  let harness: SubgraphForTest;
  beforeAll(async () => {
    harness = await startSubgraphForTest('ai_trip_events');
  });
  afterAll(async () => {
    await harness?.close();
  });

  const projected = async (tripId: string) =>
    (
      await sql<{
        owner_user_id: string;
        destination_code: string;
        start_date: string;
        travelers: number;
        pace: string;
        deleted: boolean;
      }>`select owner_user_id, destination_code, start_date::text as start_date, travelers, pace, deleted
        from ai.trip_projection where id = ${tripId}`.execute(harness.db)
    ).rows;
  const outboxRow = async (eventId: string) =>
    (
      await sql<{
        attempts: number;
        published_at: Date | null;
      }>`select attempts, published_at from trip.outbox where id = ${eventId}`.execute(harness.db)
    ).rows[0]!;
  const until = async (check: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('projects a trip created while Redis was down once Redis is back', async () => {
    const user = { id: `traveler-${randomUUID()}`, name: 'Rosa' };
    const tripId = randomUUID();
    await harness.redis.stop();
    let eventId: string;
    try {
      eventId = await harness.emitTrip('trip.created', tripCreated(tripId, user.id, { pace: 'PACKED' }));
      // The relay keeps failing; the row waits in the outbox.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await outboxRow(eventId)).toMatchObject({ attempts: 0, published_at: null });
      expect(await projected(tripId)).toEqual([]);
    } finally {
      await harness.redis.start();
    }
    await harness.applied(eventId);
    expect(await projected(tripId)).toEqual([
      {
        owner_user_id: user.id,
        destination_code: 'PAR',
        start_date: '2027-04-10',
        travelers: 2,
        pace: 'PACKED',
        deleted: false,
      },
    ]);
    await until(async () => (await outboxRow(eventId)).published_at !== null, 'the acknowledgement');
    const { body: conversation } = await harness.graphql(
      start,
      { expertId: seedExperts[0]!.id, tripId },
      user,
    );
    expect(conversation.data.startConversation.userErrors).toEqual([]);
  });

  it('applies a republished event once', async () => {
    const tripId = randomUUID();
    const eventId = await harness.emitTrip('trip.created', tripCreated(tripId, 'uma'));
    await until(async () => (await outboxRow(eventId)).published_at !== null, 'the acknowledgement');
    // A newer update, then the first event delivered again (an acknowledgement lost).
    const update = await harness.emitTrip('trip.updated', tripCreated(tripId, 'uma', { travelers: 5 }));
    await harness.applied(update);
    await sql`update trip.outbox set published_at = null where id = ${eventId}`.execute(harness.db);
    await until(async () => (await outboxRow(eventId)).attempts === 2, 'the republication');
    await until(async () => (await outboxRow(eventId)).published_at !== null, 'the second acknowledgement');
    expect((await projected(tripId))[0]).toMatchObject({ travelers: 5 });
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from ai.processed_events where event_id = ${eventId}`.execute(harness.db);
    expect(rows[0]!.n).toBe(1);
  });
});
