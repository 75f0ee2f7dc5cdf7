/**
 * The embedded default (no DATABASE_URL, no REDIS_URL): PGlite and the in-process queue carry
 * a trip event from the trip subgraph's outbox to a reminder in the inbox, as with Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedSupergraph } from './support.ts';

const isoDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('notifications in embedded mode (PGlite, in-process queue)', () => {
  let supergraph: Awaited<ReturnType<typeof startEmbeddedSupergraph>>;
  beforeAll(async () => {
    supergraph = await startEmbeddedSupergraph('notification-embedded', ['trip', 'notification'], {
      OUTBOX_POLL_MS: '50',
      TRIP_POPULARITY_REFRESH_MS: '0',
    });
  }, 120_000);
  afterAll(async () => {
    await supergraph?.close();
  });

  const call = async (token: string, query: string, variables: Record<string, unknown> = {}) =>
    (await supergraph.graphql(query, variables, { token })).body;

  it('turns a new trip into a TRIP_REMINDER without Redis', async () => {
    expect(supergraph.mode).toBe('embedded');
    const token = await supergraph.token('TRAVELER', 'embedded-traveler', {
      region: 'EU_WEST',
      email: 'e@example.test',
    });
    const created = await call(
      token,
      `mutation($input: CreateTripInput!) { createTrip(input: $input) { userErrors { code } } }`,
      {
        input: { title: 'Lisbon weekend', destinationCode: 'LIS', startDate: isoDay(1), endDate: isoDay(3) },
      },
    );
    expect(created.data?.createTrip.userErrors).toEqual([]);
    const deadline = Date.now() + 20_000;
    let entries: { kind: string; title: string }[] = [];
    while (Date.now() < deadline) {
      const result = await call(token, `{ me { notifications { edges { node { kind title } } } } }`);
      expect(result.errors).toBeUndefined();
      entries = result.data.me.notifications.edges.map((edge: { node: unknown }) => edge.node);
      if (entries.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(entries).toEqual([{ kind: 'TRIP_REMINDER', title: 'Lisbon weekend starts tomorrow' }]);
  });
});
