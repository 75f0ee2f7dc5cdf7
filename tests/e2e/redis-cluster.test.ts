/**
 * The whole supergraph on a Redis Cluster of three masters started by the test: every service
 * connects to it through a multi-host REDIS_URL. A query and a mutation go through the gateway
 * (rate limits, APQ, the response cache), the subgraphs' data caches
 * and queues write to it, and their keys land on more than one node, each multi-key group in one
 * slot (an entry written with its tag sets, a BullMQ queue's keys).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '@traveloure/platform';
import { startRedisCluster, type PrivateRedisCluster } from '@traveloure/platform/testing';
import { startTestSupergraph, type TestSupergraph } from './support.ts';

const today = new Date().toISOString().slice(0, 10);
const startDate = new Date(Date.parse(today) + 40 * 86_400_000).toISOString().slice(0, 10);
const endDate = new Date(Date.parse(today) + 44 * 86_400_000).toISOString().slice(0, 10);
const TRIP = 'query ($id: ID!) { trip(id: $id) { id title } }';

let cluster: PrivateRedisCluster;
let graph: TestSupergraph;
let traveler: string;

/** Every key on every master, by port. */
async function keysByNode(): Promise<Map<number, string[]>> {
  const byNode = new Map<number, string[]>();
  for (const port of cluster.ports) {
    const node = connectRedis(`redis://127.0.0.1:${port}`);
    try {
      byNode.set(port, await node.keys('*'));
    } finally {
      node.disconnect();
    }
  }
  return byNode;
}

beforeAll(async () => {
  cluster = await startRedisCluster();
  try {
    graph = await startTestSupergraph('rcluster', {
      env: { REDIS_URL: cluster.url, RATE_LIMIT_ANONYMOUS: '40', RATE_LIMIT_WINDOW_SECONDS: '60' },
    });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  traveler = await graph.token('TRAVELER', 'cluster-traveler', { region: 'EU_WEST' });
});
afterAll(async () => {
  try {
    await graph?.close();
  } finally {
    await cluster?.stop();
  }
});

describe('the supergraph on a Redis Cluster', () => {
  it('answers a mutation and a query, reading the change through the data caches', async () => {
    const tripId = await graph.createTrip(traveler, {
      title: 'Cluster weekend',
      destinationCode: 'LIS',
      startDate,
      endDate,
    });
    const first = await graph.graphql(TRIP, { id: tripId }, { token: traveler });
    expect(first.body).toEqual({ data: { trip: { id: tripId, title: 'Cluster weekend' } } });
    const update = await graph.graphql(
      'mutation ($id: ID!, $input: UpdateTripInput!) { updateTrip(id: $id, input: $input) { trip { title } userErrors { code } } }',
      { id: tripId, input: { title: 'Cluster fortnight' } },
      { token: traveler },
    );
    expect(update.body.data.updateTrip).toEqual({ trip: { title: 'Cluster fortnight' }, userErrors: [] });
    const after = await graph.graphql(TRIP, { id: tripId }, { token: traveler });
    expect(after.body.data.trip.title).toBe('Cluster fortnight');
  });

  it('registers and looks up an automatic persisted query, and caches its GET response', async () => {
    const query = '{ destinations(first: 2) { code } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const post = (body: unknown) =>
      fetch(graph.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => (await response.json()) as any);
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    expect((await post({ extensions })).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post({ query, extensions })).data.destinations).toHaveLength(2);
    expect((await post({ extensions })).data.destinations).toHaveLength(2);
    const keys = [...(await keysByNode()).values()].flat();
    expect(keys.some((key) => key.endsWith(`apq:${sha256Hash}`))).toBe(true);

    // The response cache keeps GET persisted queries; it writes only while its Redis (here the
    // cluster, for the invalidations it hears) is ready.
    const get = () =>
      fetch(`${graph.gatewayUrl}?extensions=${encodeURIComponent(JSON.stringify(extensions))}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
    const miss = await get();
    const hit = await get();
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(await hit.json()).toEqual(await miss.json());
  });

  it('limits anonymous callers with counters in the cluster', async () => {
    const statuses: number[] = [];
    for (let call = 0; call < 45; call++) statuses.push((await graph.graphql('{ __typename }')).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 429).length).toBeLessThan(45);
  });

  it('spreads keys over the nodes, each multi-key group in one slot', async () => {
    const byNode = await keysByNode();
    const used = [...byNode.values()].filter((keys) => keys.length > 0);
    expect(used.length).toBeGreaterThan(1);
    const all = [...byNode.values()].flat();
    // Data cache entries and their tag sets: written together in one MULTI.
    expect(all.some((key) => /:cache:\{trip\}:tag:/.test(key))).toBe(true);
    const nodesOf = (pattern: RegExp) =>
      [...byNode].filter(([, keys]) => keys.some((key) => pattern.test(key))).map(([port]) => port);
    expect(nodesOf(/:cache:\{trip\}:/)).toHaveLength(1);
    // BullMQ's keys of the outbox events the trip wrote, under the braced prefix.
    expect(all.some((key) => key.startsWith('{traveloure}:'))).toBe(true);
    expect(nodesOf(/^\{traveloure\}:/)).toHaveLength(1);
  });
});
