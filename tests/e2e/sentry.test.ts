/**
 * Error reports, end to end: the gateway and the trip subgraph run with SENTRY_DSN pointing at a
 * Sentry envelope receiver on loopback. An unexpected failure (a table the trip subgraph reads
 * renamed away) is reported exactly once, tagged with the request id, operation name and user
 * id, and carries neither the user's e-mail, nor the token, nor the request body. The client's
 * mistakes (bad input, not found, no valid token, parse errors, malformed JSON) and limits are
 * never reported. Sentry is process-global: only this file sets a DSN.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BullJobQueue,
  codedError,
  ErrorCode,
  flushSentry,
  reportBackgroundFailure,
  reportError,
  reportJobFailure,
} from '@traveloure/platform';
import { startSentryReceiver, type SentryReceiver } from '@traveloure/testing';
import type { Database } from '@traveloure/trip/db/database';
import { startTestSupergraph, type TestSupergraph } from './support.ts';

const EMAIL = 'sentry-alice@example.com';
const BODY_MARKER = 'secret-trip-title-in-the-body';

let receiver: SentryReceiver;
let graph: TestSupergraph;
let db: Kysely<Database>;
let token: string;

/** Runs `during` with `schema.table` renamed away, a fault no code path expects, then puts it back. */
async function whileTableGone<T>(schema: string, table: string, during: () => Promise<T>): Promise<T> {
  const gone = `${table}_gone`;
  await sql`ALTER TABLE ${sql.table(`${schema}.${table}`)} RENAME TO ${sql.id(gone)}`.execute(db);
  try {
    return await during();
  } finally {
    await sql`ALTER TABLE ${sql.table(`${schema}.${gone}`)} RENAME TO ${sql.id(table)}`.execute(db);
  }
}

/** No event arrives once everything pending was flushed. */
async function expectNoEvents() {
  await flushSentry();
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(receiver.events()).toEqual([]);
}

beforeAll(async () => {
  receiver = await startSentryReceiver();
  graph = await startTestSupergraph('sentry', {
    services: ['trip'],
    env: { SENTRY_DSN: receiver.dsn, TRIP_POPULARITY_REFRESH_MS: '0', SUBGRAPH_FETCH_CACHE_ENABLED: 'false' },
  });
  db = graph.services.trip!.runtime.db as Kysely<Database>;
  token = await graph.token('TRAVELER', 'sentry-alice', { email: EMAIL, name: 'Alice' });
});
afterAll(async () => {
  await graph?.close();
  await receiver?.close();
});

describe('expected errors are not reported', () => {
  it('bad input, not found, unauthenticated, parse errors and malformed JSON send nothing', async () => {
    const badInput = await graph.graphql(
      'query ($id: ID!) { trip(id: $id) { id } }',
      { id: { no: 1 } },
      { token },
    );
    expect(badInput.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const notFound = await graph.graphql('query Missing { trip(id: "trp_missing") { id } }', {}, { token });
    expect(notFound.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const unauthenticated = await graph.graphql(
      '{ trips(first: 1) { edges { node { id } } } }',
      {},
      {
        token: 'not-a-valid-token',
      },
    );
    expect(unauthenticated.status).toBe(401);

    const parse = await graph.graphql('{ trips(first: ', {}, { token });
    expect(parse.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');

    const validation = await graph.graphql('{ noSuchField }', {}, { token });
    expect(validation.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const malformed = await fetch(graph.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{"query": "{ trips',
    });
    expect(malformed.status).toBe(400);

    await expectNoEvents();
  });

  it('limits and outages reported through reportError are dropped too', async () => {
    for (const code of [
      ErrorCode.RATE_LIMITED,
      ErrorCode.OPERATION_LIMIT_EXCEEDED,
      ErrorCode.PERSISTED_QUERY_NOT_FOUND,
      ErrorCode.UPSTREAM_UNAVAILABLE,
      ErrorCode.FORBIDDEN,
    ]) {
      reportError(codedError(code, 'refused'));
    }
    // A job that will be retried, and one that failed on an unreachable database.
    reportJobFailure(new Error('flaky'), { queue: 'q', name: 'job', final: false });
    reportJobFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), {
      queue: 'q',
      name: 'job',
      final: true,
    });
    await expectNoEvents();
  });
});

describe('unexpected errors are reported once, scrubbed', () => {
  // Each test counts only the events it caused.
  beforeEach(async () => {
    await flushSentry();
    receiver.clear();
  });

  it('a subgraph failure behind the gateway: one event with request id, operation and user id', async () => {
    const response = await whileTableGone('trip', 'trips', () =>
      graph.graphql(
        `query MyTrips { trips(first: 5) { edges { node { id } } } } # ${BODY_MARKER}`,
        { note: BODY_MARKER },
        { token, headers: { 'x-request-id': 'sentry-req-1', cookie: 'session=cookie-secret' } },
      ),
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    const requestId = response.body.errors?.[0]?.extensions?.requestId;
    expect(requestId).toEqual(expect.any(String));

    await receiver.waitForEvents(1);
    await flushSentry();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const events = receiver.events();
    // The subgraph reports; the gateway, seeing the subgraph's coded INTERNAL_SERVER_ERROR, does not.
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event.tags).toMatchObject({ request_id: requestId, operation: 'MyTrips', service: 'trip' });
    expect(event.user).toEqual({ id: 'sentry-alice' });
    expect(event.exception.values[0].value).toMatch(/trips/);
    // Tracing is off in tests: no active span, no traceparent sent, so no trace id to tag.
    expect(event.tags.trace_id).toBeUndefined();
    expect(event.request).toBeUndefined();

    const raw = receiver.envelopes.map((envelope) => envelope.raw).join('\n');
    expect(raw).not.toContain(EMAIL);
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(BODY_MARKER);
    expect(raw).not.toContain('cookie-secret');
    expect(raw).not.toMatch(/authorization/i);
  });

  it('tags the trace id of the caller’s traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await whileTableGone('trip', 'trips', () =>
      graph.graphql(
        'query Traced { trips(first: 1) { edges { node { id } } } }',
        {},
        { token, headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } },
      ),
    );
    const [event] = await receiver.waitForEvents(1);
    expect(event.tags).toMatchObject({ trace_id: traceId, operation: 'Traced' });
  });

  it('scrubs e-mail addresses and tokens from messages and extras', async () => {
    reportError(new Error(`mail to ${EMAIL} failed with Bearer ${token}`), {
      service: 'notification',
      job: 'email/send',
    });
    const [event] = await receiver.waitForEvents(1);
    expect(event.tags).toMatchObject({ job: 'email/send' });
    expect(event.exception.values[0].value).toBe('mail to [email] failed with [token]');
    const raw = receiver.envelopes.map((envelope) => envelope.raw).join('\n');
    expect(raw).not.toContain(EMAIL);
    expect(raw).not.toContain(token);
  });

  it('a BullMQ job is reported once, on its last attempt, with its queue and name', async () => {
    const queue = new BullJobQueue<{ to: string }>({
      name: 'sentry-deliveries',
      redisUrl: graph.redis.url,
      prefix: 'sentry-test',
      attempts: 2,
      backoffMs: 10,
    });
    let attempts = 0;
    const worker = queue.work(async ({ data }) => {
      attempts++;
      throw new Error(`delivery to ${data.to} failed`);
    });
    try {
      await queue.add('deliver', { to: EMAIL });
      const [event] = await receiver.waitForEvents(1, 10_000);
      expect(attempts).toBe(2);
      expect(event.tags).toMatchObject({ job: 'sentry-deliveries/deliver' });
      expect(event.exception.values[0].value).toBe('delivery to [email] failed');
      await flushSentry();
      expect(receiver.events()).toHaveLength(1);
      expect(receiver.envelopes.map((envelope) => envelope.raw).join('\n')).not.toContain(EMAIL);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it('a job that failed for good is reported once with its queue and name', async () => {
    reportJobFailure(new Error('template missing'), { queue: 'notifications', name: 'send', final: true });
    const [event] = await receiver.waitForEvents(1);
    expect(event.tags).toMatchObject({ job: 'notifications/send' });
  });

  it('a background task that failed on a query is reported; one that lost its database is not', async () => {
    reportBackgroundFailure(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'trip/x',
    );
    const failure = await sql`SELECT * FROM trip.no_such_view`.execute(db).catch((error: unknown) => error);
    reportBackgroundFailure(failure, 'trip/popularity-refresh');
    const [event] = await receiver.waitForEvents(1);
    expect(event.tags).toMatchObject({ job: 'trip/popularity-refresh' });
    await flushSentry();
    expect(receiver.events()).toHaveLength(1);
  });

  it('a fault at the gateway itself (its key store gone) is reported once, by the gateway, with the caller’s trace id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await whileTableGone('gateway', 'api_keys', async () => {
      const response = await fetch(graph.gatewayUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': 'tvl_live_0123456789abcdef0123456789abcdef',
          traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        },
        body: JSON.stringify({ query: 'query Destinations { destinations(first: 1) { totalCount } }' }),
      });
      const body = (await response.json()) as any;
      expect(body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
      const [event] = await receiver.waitForEvents(1);
      await flushSentry();
      expect(receiver.events()).toHaveLength(1);
      expect(event!.tags).toMatchObject({ service: 'gateway', trace_id: traceId });
      expect(event!.tags.request_id).toBe(response.headers.get('x-request-id'));
      expect(receiver.envelopes.map((envelope) => envelope.raw).join('\n')).not.toContain(
        '0123456789abcdef0123',
      );
    });
  });
});
