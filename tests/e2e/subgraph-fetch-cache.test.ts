/**
 * The gateway's cache of subgraph answers (gateway/src/response-cache/subgraph-fetches.ts): what
 * a subgraph marked cacheable is answered from memory the next time, per caller, and never
 * outlives a change, whether the change went through this gateway (read your own writes) or
 * reached the subgraph another way (another replica): the subgraph's invalidation drops it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, signIdentity, type Identity } from '@traveloure/platform';
import { testSigningSecret } from '@traveloure/platform/testing';
import { addDays } from '@traveloure/trip/trips/trip-dates';
import { startTestSupergraph, type TestSupergraph } from './support.ts';

const start = addDays(new Date().toISOString().slice(0, 10), 40);
const PAGE =
  'query Page($id: ID!) { trip(id: $id) { id title travelers owner { id name } items { title } } }';
const UPDATE =
  'mutation ($id: ID!, $input: UpdateTripInput!) { updateTrip(id: $id, input: $input) { trip { id title } userErrors { code } } }';

let graph: TestSupergraph;
let token: string;
let tripId: string;
const traveler = { id: 'fetch-cache-ana', name: 'Ana' };

beforeAll(async () => {
  graph = await startTestSupergraph('fetch_cache', { services: ['trip'] });
  token = await graph.token('TRAVELER', traveler.id, { name: traveler.name, region: 'EU_WEST' });
  tripId = await graph.createTrip(token, {
    title: 'Porto, version 0',
    destinationCode: 'LIS',
    startDate: start,
    endDate: addDays(start, 2),
  });
});
afterAll(() => graph?.close());

/** The gateway's fetch-cache counter for the trip subgraph, by result. */
async function tripFetchCache(result: 'hit' | 'miss' | 'stored') {
  const metricsUrl = graph.gateway.metricsUrl ?? graph.gatewayUrl.replace(/\/graphql$/, '/metrics');
  const text = await (await fetch(metricsUrl)).text();
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        candidate.startsWith('gateway_subgraph_fetch_cache_requests_total{') &&
        candidate.includes('subgraph="trip"') &&
        candidate.includes(`result="${result}"`),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

const page = async () => {
  const answer = await graph.graphql(PAGE, { id: tripId }, { token });
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data.trip as { id: string; title: string; travelers: number };
};

describe('subgraph fetch cache', () => {
  it('answers a repeated trip page from the gateway, without calling the trip subgraph', async () => {
    await page();
    const hitsBefore = await tripFetchCache('hit');
    const missesBefore = await tripFetchCache('miss');
    for (let i = 0; i < 5; i++) expect((await page()).id).toBe(tripId);
    expect((await tripFetchCache('hit')) - hitsBefore).toBe(5);
    expect(await tripFetchCache('miss')).toBe(missesBefore);
  });

  it('shows a change made through the gateway on the very next read', async () => {
    for (let version = 1; version <= 10; version++) {
      await page(); // kept
      const title = `Porto, version ${version}`;
      const updated = await graph.graphql(UPDATE, { id: tripId, input: { title } }, { token });
      expect(updated.body.data.updateTrip.userErrors).toEqual([]);
      expect((await page()).title).toBe(title);
    }
  });

  it('drops an answer when the trip changes behind this gateway (another replica, a worker)', async () => {
    const before = await page();
    const identity: Identity = {
      requestId: randomUUID(),
      user: { id: traveler.id, roles: ['TRAVELER'], name: traveler.name, region: 'EU_WEST' },
    };
    // Straight to the trip subgraph, as another gateway replica would send it.
    const response = await fetch(graph.services.trip!.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [IDENTITY_HEADER]: signIdentity(identity, testSigningSecret, 'trip'),
        [REQUEST_ID_HEADER]: identity.requestId,
      },
      body: JSON.stringify({
        query: UPDATE,
        variables: { id: tripId, input: { travelers: before.travelers + 1 } },
      }),
    });
    expect(((await response.json()) as any).data.updateTrip.userErrors).toEqual([]);
    // The subgraph's invalidation reaches the gateway over Redis: well before any TTL (30 s).
    const deadline = Date.now() + 3_000;
    let seen = before.travelers;
    while (seen === before.travelers && Date.now() < deadline) {
      seen = (await page()).travelers;
      if (seen === before.travelers) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen).toBe(before.travelers + 1);
  });

  it('keeps nothing for another caller: a second traveler asking for the same trip gets no data from it', async () => {
    await page();
    const stranger = await graph.token('TRAVELER', 'fetch-cache-stranger', {
      name: 'Sam',
      region: 'EU_WEST',
    });
    const answer = await graph.graphql(PAGE, { id: tripId }, { token: stranger });
    expect(answer.body.data?.trip ?? null).toBeNull();
    const anonymous = await graph.graphql(PAGE, { id: tripId });
    expect(JSON.stringify(anonymous.body.data ?? null)).not.toContain('Porto');
  });
});

describe('subgraph fetch cache: an unread count it keeps', () => {
  let inboxGraph: TestSupergraph;
  let amy: string;
  const COUNT = '{ me { id unreadNotificationCount } }';
  const unread = async () => {
    const answer = await inboxGraph.graphql(COUNT, {}, { token: amy });
    expect(answer.body.errors).toBeUndefined();
    return answer.body.data.me.unreadNotificationCount as number;
  };

  beforeAll(async () => {
    inboxGraph = await startTestSupergraph('fetch_cache_inbox', {
      services: ['trip', 'notification'],
      env: { OUTBOX_POLL_MS: '50', QUEUE_BACKOFF_MS: '50' },
    });
    amy = await inboxGraph.token('TRAVELER', 'fetch-cache-amy', { name: 'Amy', email: 'amy@example.test' });
  });
  afterAll(() => inboxGraph?.close());

  it('follows the inbox: a new notification, and marking all read, show at once rather than after the TTL', async () => {
    expect(await unread()).toBe(0);
    expect(await unread()).toBe(0); // now kept at the gateway (max-age 30)
    // A trip starting in two days: the notification subgraph fills the inbox from the trip's event.
    const soon = addDays(new Date().toISOString().slice(0, 10), 2);
    await inboxGraph.createTrip(amy, {
      title: 'Amy in Paris',
      destinationCode: 'PAR',
      startDate: soon,
      endDate: soon,
    });
    const deadline = Date.now() + 10_000;
    let count = 0;
    while (count === 0 && Date.now() < deadline) {
      count = await unread();
      if (count === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(count).toBe(1);
    const marked = await inboxGraph.graphql(
      'mutation { markAllNotificationsRead { count userErrors { code } } }',
      {},
      { token: amy },
    );
    expect(marked.body.data.markAllNotificationsRead.count).toBe(1);
    expect(await unread()).toBe(0);
  });
});
