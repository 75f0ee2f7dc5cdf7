/**
 * One subgraph (search) goes away while the others keep serving: its fields fail with coded
 * errors that carry their path, every field of the other subgraphs answers, and the gateway
 * stays ready (degraded, 200): a gateway that reported 503 would be pulled from the load
 * balancer and take every other subgraph's traffic down with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inDays, percentile, reportFigures, startChaosStackOnOwnServers } from './support.ts';

const TRIP_AND_FLIGHTS = `query ($id: ID!) {
  me { id trips(first: 5) { totalCount } }
  trip(id: $id) { title flightOffers(origin: "NYC") { offers { id } } }
}`;
const TRIP_ONLY = `query ($id: ID!) { trip(id: $id) { title destination { name } } }`;
const INBOX = `{ me { id unreadNotificationCount } }`;

let stack: Awaited<ReturnType<typeof startChaosStackOnOwnServers>>;

beforeAll(async () => {
  stack = await startChaosStackOnOwnServers('chaos_subgraph', {
    services: ['trip', 'search', 'notification'],
    env: { SUBGRAPH_TIMEOUT_MS: '3000' },
  });
}, 90_000);

afterAll(async () => {
  await stack?.close();
});

describe('one subgraph killed', () => {
  let token: string;
  let tripId: string;
  const latencies: number[] = [];
  beforeAll(async () => {
    token = await stack.token('TRAVELER', 'chaos-subgraph-traveler');
    const created = await stack.graphql(
      `mutation ($input: CreateTripInput!) { createTrip(input: $input) { trip { id } } }`,
      { input: { title: 'Paris', destinationCode: 'PAR', startDate: inDays(30), endDate: inDays(33) } },
      token,
    );
    tripId = created.body.data.createTrip.trip.id as string;
    const healthy = await stack.graphql(TRIP_AND_FLIGHTS, { id: tripId }, token);
    expect(healthy.body.errors).toBeUndefined();
    expect(healthy.body.data.trip.flightOffers.offers.length).toBeGreaterThan(0);
    await stack.services.search!.close();
  });

  it('keeps every other subgraph answering, with one coded error for the dead one', async () => {
    for (let round = 0; round < 10; round++) {
      const mixed = await stack.graphql(TRIP_AND_FLIGHTS, { id: tripId }, token);
      latencies.push(mixed.ms);
      expect(mixed.status).toBe(200);
      // The trip subgraph's root field still answers beside the failed one.
      expect(mixed.body.data?.me).toEqual({ id: 'chaos-subgraph-traveler', trips: { totalCount: 1 } });
      expect(mixed.body.errors).toHaveLength(1);
      expect(mixed.body.errors![0]!.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        requestId: expect.any(String),
      });
      expect(JSON.stringify(mixed.body)).not.toContain('    at ');

      const tripOnly = await stack.graphql(TRIP_ONLY, { id: tripId }, token);
      expect(tripOnly.body).toEqual({ data: { trip: { title: 'Paris', destination: { name: 'Paris' } } } });
      const inbox = await stack.graphql(INBOX, {}, token);
      expect(inbox.body).toEqual({
        data: { me: { id: 'chaos-subgraph-traveler', unreadNotificationCount: 0 } },
      });
    }
    reportFigures('subgraph-killed', {
      mixedQueries: latencies.length,
      mixedP95Ms: Math.round(percentile(latencies, 95)),
    });
  });

  it('says which field failed: the error carries the path of the dead subgraph’s field', async () => {
    const mixed = await stack.graphql(TRIP_AND_FLIGHTS, { id: tripId }, token);
    expect(mixed.body.errors?.map((error) => error.path)).toEqual([['trip', 'flightOffers']]);
  });

  it('keeps the gateway ready: 200, degraded, the dead subgraph named', async () => {
    const ready = await stack.ready();
    reportFigures('subgraph-killed-readiness', {
      gatewayReady: ready.status,
      gatewayStatus: ready.body.status,
    });
    expect(ready.body.checks['subgraph:search']?.status).toBe('down');
    expect(ready.body.checks['subgraph:trip']?.status).toBe('up');
    expect({ status: ready.status, body: ready.body.status }).toEqual({ status: 200, body: 'degraded' });
  });
});
