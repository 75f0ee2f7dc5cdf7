/**
 * Redis (caches, rate limits, the event queues) is killed under read and write load through the
 * gateway and comes back empty (no persistence): reads keep answering, every acknowledged write
 * is in PostgreSQL, and every event of those writes still reaches the notification subgraph,
 * replayed from the outbox since Redis lost the queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { drive, inDays, reportFigures, sleep, startChaosStackOnOwnServers, waitFor } from './support.ts';

const CREATE = `mutation ($input: CreateTripInput!) { createTrip(input: $input) { trip { id } userErrors { code } } }`;
const READ = `query ($id: ID!) { trip(id: $id) { id title destination { name } } destinations(first: 3) { code } }`;
const OUTAGE_MS = 1_500;

let stack: Awaited<ReturnType<typeof startChaosStackOnOwnServers>>;

beforeAll(async () => {
  stack = await startChaosStackOnOwnServers('chaos_redis', {
    services: ['trip', 'notification'],
    env: { QUEUE_BACKOFF_MS: '50' },
  });
}, 90_000);

afterAll(async () => {
  await stack?.close();
});

type Outcome = { op: 'read' | 'write'; ok: boolean; id?: string; codes: string[] };

describe('Redis killed under load', () => {
  it('keeps reads answering and loses no acknowledged write nor its event', { timeout: 90_000 }, async () => {
    const tokens = await Promise.all(
      Array.from({ length: 4 }, (_, index) => stack.token('TRAVELER', `chaos-redis-${index}`)),
    );
    const create = async (index: number): Promise<Outcome> => {
      const answer = await stack.graphql(
        CREATE,
        {
          input: {
            title: `redis ${index}`,
            destinationCode: 'LIS',
            startDate: inDays(20),
            endDate: inDays(22),
          },
        },
        tokens[index % tokens.length],
      );
      const id = answer.body.data?.createTrip?.trip?.id as string | undefined;
      const codes = (answer.body.errors ?? []).map((error) => String(error.extensions?.code));
      return { op: 'write', ok: Boolean(id) && codes.length === 0, id, codes };
    };
    const seeded = await Promise.all(tokens.map((_, index) => create(index)));
    const readable = seeded.map((outcome) => outcome.id!);
    expect(readable.every(Boolean)).toBe(true);

    let stop = false;
    let phase: 'before' | 'outage' | 'after' = 'before';
    const byPhase: Record<string, Outcome[]> = { before: [], outage: [], after: [] };
    const load = drive(
      4,
      async (index) => {
        const seen = phase;
        const outcome: Outcome =
          index % 2 === 0
            ? await create(100 + index)
            : await stack
                .graphql(READ, { id: readable[index % readable.length] }, tokens[index % tokens.length])
                .then((answer) => ({
                  op: 'read' as const,
                  ok: !answer.body.errors && answer.body.data?.trip?.title !== undefined,
                  codes: (answer.body.errors ?? []).map((error) => String(error.extensions?.code)),
                }));
        byPhase[seen]!.push(outcome);
        return outcome;
      },
      () => stop,
    );
    await sleep(700);
    phase = 'outage';
    await stack.redis.stop();
    await sleep(OUTAGE_MS);
    await stack.redis.start();
    phase = 'after';
    await sleep(1_000);
    stop = true;
    const outcomes = (await load).map((sample) => sample.outcome);

    // Reads answered before, during and after the outage.
    const reads = outcomes.filter((outcome) => outcome.op === 'read');
    expect(byPhase.outage!.filter((outcome) => outcome.op === 'read').length).toBeGreaterThan(0);
    expect(reads.filter((outcome) => !outcome.ok)).toEqual([]);
    // A write refused during the outage must say so with a coded, retryable error.
    const writes = outcomes.filter((outcome) => outcome.op === 'write');
    for (const failed of writes.filter((outcome) => !outcome.ok))
      expect(failed.codes).toEqual(expect.arrayContaining(['UPSTREAM_UNAVAILABLE']));

    const acknowledged = [...seeded, ...writes].filter((outcome) => outcome.ok).map((outcome) => outcome.id!);
    const client = new pg.Client({ connectionString: stack.database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>(
        'select id::text from trip.trips where id::text = any($1::text[])',
        [acknowledged],
      );
      expect(rows).toHaveLength(acknowledged.length);
      // Redis came back empty: the queued events are gone, so the outbox must replay them until
      // the notification subgraph has processed (and acknowledged) every one.
      const unprocessed = async () =>
        (
          await client.query<{ n: number }>(
            `select count(*)::int as n from trip.outbox o
              where o.aggregate_id = any($1::text[])
                and not exists (select 1 from notification.processed_events p where p.event_id = o.id)`,
            [acknowledged],
          )
        ).rows[0]!.n;
      await waitFor(
        async () => (await unprocessed()) === 0,
        'every event to reach the notification subgraph',
        30_000,
      );
      const { rows: projected } = await client.query<{ n: number }>(
        'select count(*)::int as n from notification.trip_projection where trip_id = any($1::text[])',
        [acknowledged],
      );
      expect(projected[0]!.n).toBe(acknowledged.length);
    } finally {
      await client.end();
    }

    reportFigures('redis-killed', {
      reads: reads.length,
      readsDuringOutage: byPhase.outage!.filter((outcome) => outcome.op === 'read').length,
      readErrors: reads.filter((outcome) => !outcome.ok).length,
      writes: writes.length,
      writesAcknowledged: writes.filter((outcome) => outcome.ok).length,
      writesDuringOutage: byPhase.outage!.filter((outcome) => outcome.op === 'write').length,
      lostAcknowledged: 0,
      eventsReplayedAndProcessed: acknowledged.length,
      outageMs: OUTAGE_MS,
    });
  });
});
