/**
 * Traces across the services, as a collector receives them: the gateway and the four subgraphs
 * each in its own process (production settings, real PostgreSQL and Redis, the upstream
 * emulators), exporting to a local OTLP/HTTP receiver. One trip-page request is one trace: the
 * gateway's server span continues the client's `traceparent`, each subgraph's server span is a
 * child of one of the gateway's client spans, and the subgraphs' PostgreSQL and Redis spans hang
 * under their server spans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '@traveloure/testing';
import { startStack, type BenchProcess, type Stack } from '../bench/stack.ts';
import { startOurGateway } from '../bench/targets.ts';
import { createTripWithItems, gql, person } from '../bench/seed.ts';
import { tripPageQuery } from '../bench/workloads.ts';

const SERVER = 2;
const CLIENT = 3;
const clientTraceId = '0af7651916cd43dd8448eb211c80319c';
const clientSpanId = 'b7ad6b7169203331';

let receiver: OtlpReceiver;
let stack: Stack | undefined;
let gateway: BenchProcess | undefined;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startStack(() => {}, {
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Export within a moment instead of every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
  });
  gateway = await startOurGateway(stack);
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
  await stack?.close();
  await receiver?.close();
});

/** The chain of parents of `span` within its trace, nearest first. */
function ancestors(span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((candidate) => [candidate.spanId, candidate]));
  const chain: ReceivedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) {
    chain.push(parent);
  }
  return chain;
}

describe('one trip-page request', () => {
  it('is one trace: gateway, every subgraph it calls and their PostgreSQL, correctly parented', async () => {
    const who = await person('tracing-traveler', stack!);
    const tripId = await createTripWithItems(gateway!.url, who.token, 'Traced trip', 'LIS');
    const suggested = await gql(
      gateway!.url,
      who.token,
      'query ($id: ID!) { trip(id: $id) { itinerarySuggestion { id } } }',
      {
        id: tripId,
      },
    );
    const suggestionId = suggested.trip.itinerarySuggestion.id as string;

    const response = await fetch(gateway!.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${who.token}`,
        traceparent: `00-${clientTraceId}-${clientSpanId}-01`,
      },
      body: JSON.stringify({ query: tripPageQuery, variables: { id: tripId, suggestionId } }),
    });
    const body = (await response.json()) as any;
    expect(body.errors).toBeUndefined();
    expect(body.data.trip.id).toBe(tripId);

    const subgraphs = ['trip', 'ai', 'search', 'notification'];
    const spans = await receiver.waitFor((received) => {
      const trace = received.filter((span) => span.traceId === clientTraceId);
      return (
        subgraphs.every((name) => trace.some((span) => span.service === name && span.kind === SERVER)) &&
        trace.some((span) => span.service === 'trip' && span.attributes['db.system.name'] === 'postgresql')
      );
    });
    const trace = spans.filter((span) => span.traceId === clientTraceId);

    // The gateway continues the client's trace.
    const gatewayServer = trace.find((span) => span.service === 'gateway' && span.kind === SERVER);
    expect(gatewayServer?.parentSpanId).toBe(clientSpanId);

    for (const name of subgraphs) {
      const servers = trace.filter((span) => span.service === name && span.kind === SERVER);
      expect(servers.length, name).toBeGreaterThan(0);
      for (const server of servers) {
        // Called by the gateway: the parent is one of its client spans, under its server span.
        const parent = trace.find((span) => span.spanId === server.parentSpanId);
        expect(parent?.service, name).toBe('gateway');
        expect(parent?.kind, name).toBe(CLIENT);
        expect(ancestors(server, trace), name).toContain(gatewayServer);
      }
    }

    // PostgreSQL (and Redis, for the data cache) under the subgraphs' server spans; statements
    // are recorded with their placeholders, never the values.
    const queries = trace.filter(
      (span) => span.service === 'trip' && span.attributes['db.system.name'] === 'postgresql',
    );
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) {
      expect(ancestors(query, trace).some((span) => span.service === 'trip' && span.kind === SERVER)).toBe(
        true,
      );
      expect(String(query.attributes['db.query.text'] ?? '')).not.toContain(tripId);
    }
    const redis = trace.filter((span) => span.attributes['db.system.name'] === 'redis');
    expect(redis.length).toBeGreaterThan(0);
    for (const command of redis) {
      expect(ancestors(command, trace).some((span) => span.kind === SERVER)).toBe(true);
    }
  }, 120_000);

  it('follows work into BullMQ: a job is processed in the trace of the code that added it', async () => {
    const PRODUCER = 4;
    const CONSUMER = 5;
    const spans = await receiver.waitFor((received) =>
      received.some(
        (span) =>
          span.kind === CONSUMER &&
          received.some((producer) => producer.kind === PRODUCER && producer.spanId === span.parentSpanId),
      ),
    );
    const consumer = spans.find(
      (span) => span.kind === CONSUMER && spans.some((producer) => producer.spanId === span.parentSpanId),
    )!;
    const producer = spans.find((span) => span.spanId === consumer.parentSpanId)!;
    expect(producer.traceId).toBe(consumer.traceId);
    expect(producer.kind).toBe(PRODUCER);
  }, 60_000);
});
