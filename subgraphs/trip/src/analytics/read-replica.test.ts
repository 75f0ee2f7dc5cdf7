/**
 * Analytics on a real streaming replica: a private primary cluster (never the shared server),
 * a standby made from it with `pg_basebackup -R`, and the trip subgraph started with
 * DATABASE_URL on the primary and DATABASE_READ_URL on the standby.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql, startService, type StartedService } from '@traveloure/platform';
import {
  signedGraphQL,
  startPostgresCluster,
  waitFor,
  startStreamingReplica,
  testSigningSecret,
  type PrivatePostgres,
  type TestDatabase,
} from '@traveloure/platform/testing';
import { tripService } from '../service.ts';
import type { TripConfig } from '../config.ts';
import { refreshPopularity } from '../db/popularity.repository.ts';
import { addDays } from '../trips/trip-dates.ts';
import type { TestUser } from '../test-support.ts';

const traveler: TestUser = { id: 'user-replica-traveler', region: 'EU_WEST' };
const analyst: TestUser = { id: 'user-replica-analyst', roles: ['ANALYST'] };
const start = addDays(new Date().toISOString().slice(0, 10), 20);

const CREATE = `mutation ($input: CreateTripInput!) {
  createTrip(input: $input) { trip { id } userErrors { code message } }
}`;
const POPULARITY = `{ destinationPopularity(days: 7) { destination { code } tripCount travelerCount } }`;

let primary: PrivatePostgres | undefined;
let replica: PrivatePostgres | undefined;
let database: TestDatabase | undefined;
let service: StartedService<TripConfig> | undefined;

const inRecovery = async (db: StartedService['runtime']['db']) =>
  (await sql<{ recovery: boolean }>`select pg_is_in_recovery() as recovery`.execute(db)).rows[0]!.recovery;

const call = async (query: string, variables: Record<string, unknown>, user: TestUser) =>
  (await signedGraphQL('trip', service!.url)(query, variables, user)).body;

beforeAll(async () => {
  primary = await startPostgresCluster();
  database = await primary.createDatabase('trip_replica');
  // Migrated on the primary before the standby is copied would work too; copying first shows
  // the schema (and everything after) arriving through replication.
  replica = await startStreamingReplica(primary);
  const readUrl = new URL(database.url);
  readUrl.port = String(replica.port);
  service = await startService(tripService, {
    env: {
      DATABASE_URL: database.url,
      DATABASE_READ_URL: readUrl.toString(),
      GATEWAY_SIGNING_SECRET: testSigningSecret,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      TRIP_POPULARITY_REFRESH_MS: '200',
    },
    port: 0,
    host: '127.0.0.1',
  });
}, 120_000);

afterAll(async () => {
  // Each step on its own, so one failing still lets the others clean up.
  await service?.close().catch(() => {});
  await replica?.close().catch(() => {});
  await primary?.close().catch(() => {});
});

describe('analytics on a streaming replica (DATABASE_READ_URL)', () => {
  it('reads analytics on the standby, writes on the primary, and sees the primary-refreshed view', async () => {
    const { runtime } = service!;
    expect(await inRecovery(runtime.readDb)).toBe(true);
    expect(await inRecovery(runtime.db)).toBe(false);

    const created = await call(
      CREATE,
      {
        input: {
          title: 'Replica trip',
          destinationCode: 'LIS',
          startDate: start,
          endDate: addDays(start, 2),
          travelers: 3,
        },
      },
      traveler,
    );
    expect(created.data?.createTrip.userErrors).toEqual([]);
    const tripId = created.data.createTrip.trip.id as string;

    // The trip was written on the primary and streamed to the standby.
    const standby = new pg.Client({ connectionString: runtime.config.DATABASE_READ_URL });
    await standby.connect();
    try {
      await waitFor(async () => {
        const { rows } = await standby.query('select 1 from trip.trips where id = $1', [tripId]);
        return rows.length > 0 ? true : undefined;
      }, 'the trip on the standby');
      // The standby refuses writes: the service could not have written there.
      await expect(
        standby.query(`refresh materialized view trip.destination_popularity_daily`),
      ).rejects.toMatchObject({
        code: '25006',
      });
    } finally {
      await standby.end();
    }

    // The background refresh (on the primary) reaches the standby, where analytics read it.
    const lisbon = await waitFor(async () => {
      const answer = await call(POPULARITY, {}, analyst);
      expect(answer.errors).toBeUndefined();
      return (
        answer.data.destinationPopularity as {
          destination: { code: string };
          tripCount: number;
          travelerCount: number;
        }[]
      ).find((row) => row.destination.code === 'LIS');
    }, 'the refreshed popularity on the standby');
    expect(lisbon).toMatchObject({ tripCount: 1, travelerCount: 3 });

    // With the primary down, analytics still answer from the standby; writes fail.
    await primary!.stop('fast');
    try {
      const during = await call(POPULARITY, {}, analyst);
      expect(during.errors).toBeUndefined();
      expect(
        during.data.destinationPopularity.find((row: any) => row.destination.code === 'LIS'),
      ).toMatchObject({
        tripCount: 1,
      });
      const write = await call(
        CREATE,
        {
          input: {
            title: 'No primary',
            destinationCode: 'LIS',
            startDate: start,
            endDate: addDays(start, 1),
          },
        },
        traveler,
      );
      expect(write.data?.createTrip ?? null).toBeNull();
      expect(write.errors?.length).toBeGreaterThan(0);
    } finally {
      await primary!.start();
    }
  }, 60_000);

  it('refreshes the view concurrently: readers are not blocked while a refresh waits', async () => {
    const { runtime } = service!;
    const blocker = new pg.Client({ connectionString: runtime.config.DATABASE_URL });
    const reader = new pg.Client({ connectionString: runtime.config.DATABASE_URL });
    await blocker.connect();
    await reader.connect();
    try {
      // The refresh takes its lock on the view, then waits for the trips table held here.
      await blocker.query('begin');
      await blocker.query('lock table trip.trips in access exclusive mode');
      const refreshing = refreshPopularity(runtime.db as never);
      await waitFor(async () => {
        const { rows } = await reader.query(
          `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query ilike 'refresh materialized view%'`,
        );
        return rows.length > 0 ? true : undefined;
      }, 'the refresh to wait on the trips lock');
      // A plain REFRESH would hold ACCESS EXCLUSIVE on the view and this read would wait.
      await reader.query(`set statement_timeout = 2000`);
      const { rows } = await reader.query('select count(*)::int as n from trip.destination_popularity_daily');
      expect(rows[0].n).toBeGreaterThanOrEqual(1);
      await blocker.query('rollback');
      // True, or false when the background refresh held the advisory lock and waited instead.
      expect(typeof (await refreshing)).toBe('boolean');
    } finally {
      await blocker.end().catch(() => {});
      await reader.end().catch(() => {});
    }
  }, 30_000);
});
