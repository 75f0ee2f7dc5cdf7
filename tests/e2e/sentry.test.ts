/**
 * Error reports, as Sentry receives them: the supergraph with SENTRY_DSN pointing at a local
 * envelope receiver. A real fault (a table gone from under the trip subgraph, the gateway's key
 * store gone) is reported once per service, tagged so it can be found (service, request id,
 * trace id, operation, user id) and stripped of what identifies or impersonates the caller
 * (e-mail, token, headers, body). A client's mistakes, missing entities and limits are not sent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startSentryReceiver, type EnvelopeItem, type SentryReceiver } from '@traveloure/testing';
import { flushSentry } from '@traveloure/platform';
import { startTestSupergraph, type TestSupergraph } from './support.ts';

const userId = '5b0c9f8e-4f6e-4c1e-9d8a-1f2b3c4d5e6f';
const email = 'ada.lovelace@example.com';
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;

let receiver: SentryReceiver;
let supergraph: TestSupergraph;
let token: string;

async function sql(text: string) {
  const client = new pg.Client({ connectionString: supergraph.database.url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** What arrived since the test began, once the SDK has sent all it holds. */
async function reported(): Promise<EnvelopeItem[]> {
  await flushSentry(5_000);
  return receiver.events();
}

beforeAll(async () => {
  receiver = await startSentryReceiver();
  supergraph = await startTestSupergraph('sentry', {
    services: ['trip'],
    env: { SENTRY_DSN: receiver.dsn, RATE_LIMIT_ANONYMOUS: '3' },
  });
  token = await supergraph.token('TRAVELER', userId, { email, name: 'Ada Lovelace' });
  // Signed in once while everything works: the user exists before the faults.
  const me = await supergraph.graphql('query Me { me { id } }', {}, { token });
  expect(me.body.data?.me?.id).toBe(userId);
}, 120_000);

afterAll(async () => {
  await supergraph?.close();
  await receiver?.close();
});

beforeEach(async () => {
  await flushSentry(5_000);
  receiver.envelopes.length = 0;
});

describe('Sentry reports', () => {
  it('are not sent for a client’s mistakes, missing entities, limits or refused credentials', async () => {
    const results = await Promise.all([
      // bad input
      supergraph.graphql(
        'mutation Bad { createTrip(input: { title: "", destinationCode: "nope", startDate: "2027-13-45", endDate: "x" }) { userErrors { code } } }',
        {},
        { token },
      ),
      // not found
      supergraph.graphql('query Missing($id: ID!) { trip(id: $id) { id } }', { id: userId }, { token }),
      // parse and validation errors
      supergraph.graphql('query Broken { me { ', {}, { token }),
      supergraph.graphql('query Unknown { me { shoeSize } }', {}, { token }),
      // a forged token
      supergraph.graphql('query Me { me { id } }', {}, { token: `${token}x` }),
      // signed in, but not allowed
      supergraph.graphql(
        'query Popularity { destinationPopularity(days: 7) { destinationCode } }',
        {},
        { token },
      ),
    ]);
    for (const result of results) expect(JSON.stringify(result.body)).toMatch(/"code":"[A-Z_]+"/);
    // Malformed JSON, and an anonymous caller over its rate limit.
    const malformed = await fetch(supergraph.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(malformed.status).toBe(400);
    const statuses: number[] = [];
    for (let call = 0; call < 5; call++) {
      statuses.push((await supergraph.graphql('{ destinations(first: 1) { totalCount } }')).status);
    }
    expect(statuses).toContain(429);

    expect(await reported()).toEqual([]);
  });

  it('report a fault in a subgraph once, tagged with request id, trace id, operation and user id, with no e-mail or token', async () => {
    await sql('alter table trip.trips rename to trips_moved_away');
    try {
      const result = await supergraph.graphql(
        'query MyTrips { trips(first: 5) { totalCount } }',
        {},
        { token, headers: { traceparent } },
      );
      expect(result.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      await receiver.waitForEvents(1);
      await flushSentry(5_000);
      const events = receiver.events();
      expect(events).toHaveLength(1);
      // Once, by the subgraph that failed: the gateway passes the error on without reporting it.
      const [event] = events;
      const payload = event!.payload;
      expect(payload.tags.trace_id).toBe(traceId);
      expect(payload.tags.service).toBe('trip');
      expect(payload.tags.request_id).toBe(result.headers.get('x-request-id'));
      // The gateway names each subgraph fetch after the client's operation.
      expect(payload.tags.operation).toMatch(/^MyTrips__trip__\d+$/);
      expect(payload.user).toEqual({ id: userId });
      // What the database said, so the report is worth reading.
      expect(payload.exception.values[0].value).toMatch(/trips/);
      for (const secret of [email, token, 'authorization', 'x-traveloure-identity', 'Ada Lovelace']) {
        expect(event!.raw, secret).not.toContain(secret);
      }
    } finally {
      await sql('alter table trip.trips_moved_away rename to trips');
    }
  });

  it('report a fault at the gateway with the trace id the client sent', async () => {
    await sql('alter table gateway.api_keys rename to api_keys_moved_away');
    try {
      const response = await fetch(supergraph.gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': 'tvl_live_0123456789abcdef0123456789abcdef',
          traceparent,
        },
        body: JSON.stringify({ query: 'query Destinations { destinations(first: 1) { totalCount } }' }),
      });
      const body = (await response.json()) as any;
      expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
      const [event] = await receiver.waitForEvents(1);
      await flushSentry(5_000);
      expect(receiver.events()).toHaveLength(1);
      expect(event!.payload.tags.service).toBe('gateway');
      expect(event!.payload.tags.request_id).toBe(response.headers.get('x-request-id'));
      expect(event!.payload.tags.trace_id).toBe(traceId);
      expect(event!.raw).not.toContain('tvl_live_0123456789abcdef');
    } finally {
      await sql('alter table gateway.api_keys_moved_away rename to api_keys');
    }
  });
});
