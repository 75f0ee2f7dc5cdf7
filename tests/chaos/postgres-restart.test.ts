/**
 * PostgreSQL crashes and comes back under write load: a private cluster (never the shared
 * server) is stopped with `pg_ctl -m immediate` (no checkpoint: recovery replays the WAL) while
 * travelers create trips through the gateway, then started again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPostgresCluster, type PrivatePostgres } from '@traveloure/platform/testing';
import type { TestDatabase } from '@traveloure/platform/testing';
import { drive, inDays, reportFigures, sleep, startChaosStack, waitFor, type ChaosStack } from './support.ts';

const CREATE = `mutation ($input: CreateTripInput!) {
  createTrip(input: $input) { trip { id title } userErrors { code } }
}`;
const OUTAGE_MS = 1_500;
/** Codes that tell a client "not you, try again": what an outage may answer, and nothing else. */
const retryableCodes = new Set(['UPSTREAM_UNAVAILABLE']);

let cluster: PrivatePostgres;
let database: TestDatabase;
let stack: ChaosStack;

beforeAll(async () => {
  cluster = await startPostgresCluster();
  database = await cluster.createDatabase('chaos_pg');
  stack = await startChaosStack({ databaseUrl: database.url, services: ['trip'] });
}, 90_000);

afterAll(async () => {
  await stack?.close();
  await cluster?.close();
});

type Outcome =
  | { kind: 'ok'; id: string; title: string }
  | { kind: 'error'; status: number; codes: string[]; messages: string[]; stack: boolean };

describe('PostgreSQL restarted under write load', () => {
  it('answers retryable coded errors during the outage, loses no acknowledged write and recovers', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 4 }, (_, index) => stack.token('TRAVELER', `chaos-pg-${index}`)),
    );
    const create = async (index: number): Promise<Outcome> => {
      const title = `chaos trip ${index}`;
      const answer = await stack.graphql(
        CREATE,
        { input: { title, destinationCode: 'PAR', startDate: inDays(30), endDate: inDays(33) } },
        tokens[index % tokens.length],
      );
      const trip = answer.body.data?.createTrip?.trip;
      if (trip && !answer.body.errors) return { kind: 'ok', id: trip.id, title };
      const errors = answer.body.errors ?? [];
      return {
        kind: 'error',
        status: answer.status,
        codes: errors.map((error) => String(error.extensions?.code)),
        messages: errors.map((error) => error.message),
        stack: JSON.stringify(answer.body).includes('    at '),
      };
    };
    // Warm: every traveler provisioned, the pools full.
    for (let index = 0; index < tokens.length; index++) expect((await create(index)).kind).toBe('ok');

    let phase: 'before' | 'outage' | 'recovering' | 'done' = 'before';
    const phases: { phase: string; outcome: Outcome }[] = [];
    let restartedAt = 0;
    let firstSuccessAfterRestart = 0;
    const load = drive(
      4,
      async (index) => {
        const seen = phase;
        const outcome = await create(1_000 + index);
        phases.push({ phase: seen, outcome });
        if (seen === 'recovering' && outcome.kind === 'ok' && !firstSuccessAfterRestart)
          firstSuccessAfterRestart = performance.now();
        return outcome;
      },
      () => phase === 'done',
    );
    await sleep(500);
    phase = 'outage';
    await cluster.stop('immediate');
    await sleep(OUTAGE_MS);
    await cluster.start();
    restartedAt = performance.now();
    phase = 'recovering';
    await waitFor(() => firstSuccessAfterRestart > 0, 'a write to succeed after the restart', 20_000);
    await sleep(500);
    phase = 'done';
    const samples = await load;

    const outcomes = samples.map((sample) => sample.outcome);
    const acknowledged = outcomes.filter((outcome) => outcome.kind === 'ok');
    const failed = outcomes.filter((outcome) => outcome.kind === 'error');
    const duringOutage = phases.filter((entry) => entry.phase === 'outage').map((entry) => entry.outcome);

    // The outage was seen, and only as retryable coded errors: no stack, no "unexpected error".
    expect(duringOutage.some((outcome) => outcome.kind === 'error')).toBe(true);
    for (const outcome of failed) {
      expect(outcome.stack).toBe(false);
      expect(outcome.codes.length).toBeGreaterThan(0);
      for (const code of outcome.codes)
        expect({ code, messages: outcome.messages }).toMatchObject({
          code: expect.toSatisfy((value: string) => retryableCodes.has(value)),
        });
    }
    // Writes succeeded before and after the outage.
    expect(phases.some((entry) => entry.phase === 'before' && entry.outcome.kind === 'ok')).toBe(true);
    expect(phases.some((entry) => entry.phase === 'recovering' && entry.outcome.kind === 'ok')).toBe(true);

    // Every acknowledged write survived the crash (WAL recovery), with its outbox event.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const ids = acknowledged.map((outcome) => (outcome as { id: string }).id);
      const { rows } = await client.query<{ id: string; title: string }>(
        'select id::text, title from trip.trips where id::text = any($1::text[])',
        [ids],
      );
      expect(new Set(rows.map((row) => row.id))).toEqual(new Set(ids));
      const { rows: events } = await client.query<{ n: number }>(
        `select count(distinct aggregate_id)::int as n from trip.outbox where event_type = 'trip.created' and aggregate_id = any($1::text[])`,
        [ids],
      );
      expect(events[0]!.n).toBe(ids.length);
    } finally {
      await client.end();
    }

    // After recovery, every request succeeds again.
    const after = await Promise.all(Array.from({ length: 20 }, (_, index) => create(5_000 + index)));
    expect(after.filter((outcome) => outcome.kind !== 'ok')).toEqual([]);
    expect((await stack.ready(stack.services.trip!.url)).status).toBe(200);

    reportFigures('postgres-restart', {
      requests: outcomes.length,
      acknowledged: acknowledged.length,
      failedRetryable: failed.length,
      codes: [...new Set(failed.flatMap((outcome) => (outcome as { codes: string[] }).codes))],
      outageMs: OUTAGE_MS,
      recoveryMs: Math.round(firstSuccessAfterRestart - restartedAt),
      lostAcknowledged: 0,
    });
  });
});
