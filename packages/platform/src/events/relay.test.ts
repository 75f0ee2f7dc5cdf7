import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createLogger } from '../logger.ts';
import { createOutboxTable, writeOutboxEvent } from '../outbox.ts';
import { createManualClock } from '../queue/clock.ts';
import {
  createTestDatabase,
  startPrivateRedis,
  type PrivateRedis,
  type TestDatabase,
} from '../testing/index.ts';
import {
  createEventTransport,
  createOutboxRelay,
  eventJobId,
  startEventConsumer,
  type EventTransport,
  type OutboxRelay,
} from './index.ts';

// Nothing lost when Redis goes down or loses its data: rows count as published only once the
// consumer acknowledged them, and unacknowledged rows are published again.
describe('outbox relay and idempotent consumer (private Redis)', () => {
  let database: TestDatabase;
  let redisServer: PrivateRedis;
  let redis: Redis;
  let db: Kysely<any>;
  let transport: EventTransport;
  let relay: OutboxRelay;
  const clock = createManualClock();
  const logger = createLogger('relay-test', { level: 'silent' });
  const ackTimeoutMs = 60_000;

  beforeAll(async () => {
    database = await createTestDatabase('relay');
    redisServer = await startPrivateRedis();
    redis = new Redis(redisServer.url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => 100,
    });
    redis.on('error', () => {});
    db = new Kysely({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 4 }) }),
    });
    await sql`create schema src`.execute(db);
    await createOutboxTable(db, 'src');
    await sql`create schema dst`.execute(db);
    await sql`create table dst.processed_events (event_id uuid primary key, source text not null, event_type text not null,
      processed_at timestamptz not null default now())`.execute(db);
    await sql`create table dst.effect (event_id uuid not null, n int not null)`.execute(db);
    await sql`create schema dst2`.execute(db);
    await sql`create table dst2.processed_events (event_id uuid primary key, source text not null, event_type text not null,
      processed_at timestamptz not null default now())`.execute(db);
    await sql`create table dst2.effect (event_id uuid not null, n int not null)`.execute(db);
    transport = createEventTransport(
      {
        REDIS_URL: redisServer.url,
        QUEUE_PREFIX: `relay-${randomBytes(3).toString('hex')}`,
        QUEUE_BACKOFF_MS: 50,
      },
      redis,
      logger,
    );
    relay = createOutboxRelay({
      db,
      schema: 'src',
      consumers: ['dst'],
      queueFor: transport.queueFor,
      acks: transport.acks,
      logger,
      clock,
      ackTimeoutMs,
    });
  });
  afterAll(async () => {
    await transport?.close();
    redis?.disconnect();
    await db?.destroy();
    await redisServer?.stop();
    await database?.drop();
  });

  const emit = (count: number, label: string) =>
    Promise.all(
      Array.from({ length: count }, (_, index) =>
        writeOutboxEvent(db, 'src', {
          aggregateType: 'thing',
          aggregateId: `${label}-${index}`,
          eventType: 'thing.happened',
          payload: { index },
        }),
      ),
    );
  const unpublished = async () =>
    (
      await sql<{ n: number }>`select count(*)::int as n from src.outbox where published_at is null`.execute(
        db,
      )
    ).rows[0]!.n;
  /** Relay passes until every row is acknowledged. */
  const drain = async () => {
    const deadline = Date.now() + 15_000;
    while ((await unpublished()) > 0) {
      if (Date.now() > deadline) throw new Error('outbox did not drain');
      await relay.tick().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  };
  /** A consumer whose effect is one row per applied event. */
  const startConsumer = (concurrency: number, schema = 'dst') =>
    startEventConsumer({
      db,
      schema,
      queue: transport.queueFor(schema),
      acks: transport.acks,
      logger,
      concurrency,
      handle: async (event, trx) =>
        void (await sql`insert into ${sql.table(`${schema}.effect`)} (event_id, n) values (${event.id}, 1)`.execute(
          trx,
        )),
    });
  const effects = async (schema = 'dst') =>
    (
      await sql<{
        event_id: string;
        n: number;
      }>`select event_id, count(*)::int as n from ${sql.table(`${schema}.effect`)} group by event_id`.execute(
        db,
      )
    ).rows;

  it('replays every row after Redis lost the published events, and applies each once', async () => {
    const ids = await emit(20, 'flush');
    expect(await relay.tick()).toEqual({ acknowledged: 0, published: 20 });
    expect((await transport.queueFor('dst').counts()).waiting).toBe(20);
    // Redis loses everything before any consumer ran.
    await redis.flushall();
    expect((await transport.queueFor('dst').counts()).waiting).toBe(0);
    const consumer = startConsumer(4);
    try {
      // Still in flight: not published again before the acknowledgement timeout.
      expect((await relay.tick()).published).toBe(0);
      expect(await unpublished()).toBe(20);
      clock.advance(ackTimeoutMs);
      expect((await relay.tick()).published).toBe(20);
      await drain();
      const applied = await effects();
      expect(applied.map((row) => row.event_id).sort()).toEqual([...ids].sort());
      expect(applied.every((row) => row.n === 1)).toBe(true);

      // A row published twice (an acknowledgement lost) is applied once and acknowledged again.
      await sql`update src.outbox set published_at = null where id = ${ids[0]!}`.execute(db);
      await drain();
      expect((await effects()).find((row) => row.event_id === ids[0])?.n).toBe(1);
      const { rows } = await sql<{
        attempts: number;
      }>`select attempts from src.outbox where id = ${ids[0]!}`.execute(db);
      expect(rows[0]!.attempts).toBe(3);
    } finally {
      await consumer.close();
    }
  });

  it('delivers an event again after its job used up every attempt (consumer failing), once the ack timeout passes', async () => {
    const [id] = await emit(1, 'exhausted');
    let healthy = false;
    let calls = 0;
    const consumer = startEventConsumer({
      db,
      schema: 'dst',
      queue: transport.queueFor('dst'),
      acks: transport.acks,
      logger,
      handle: async (event, trx) => {
        calls++;
        if (!healthy) throw new Error('notification database unavailable');
        await sql`insert into dst.effect (event_id, n) values (${event.id}, 1)`.execute(trx);
      },
    });
    try {
      expect((await relay.tick()).published).toBe(1);
      // Five attempts with backoff, then the job is given up; the row stays unacknowledged.
      const deadline = Date.now() + 15_000;
      while (calls < 5 || (await transport.queueFor('dst').getJob(eventJobId(id!)))?.state === 'active') {
        if (Date.now() > deadline) throw new Error(`the event job did not use up its attempts (${calls})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await unpublished()).toBe(1);
      healthy = true;
      clock.advance(ackTimeoutMs);
      // The republished row becomes a new job (a given-up job id must not swallow it).
      expect((await relay.tick()).published).toBe(1);
      await drain();
      expect((await effects()).find((row) => row.event_id === id)?.n).toBe(1);
      expect(calls).toBe(6);
    } finally {
      await consumer.close();
    }
  });

  it('keeps rows while Redis is down and delivers them when it is back', async () => {
    const consumer = startConsumer(1);
    try {
      await redisServer.stop();
      const ids = await emit(5, 'down');
      await expect(relay.tick()).rejects.toThrow();
      const { rows } = await sql<{
        attempts: number;
      }>`select attempts from src.outbox where id = any(${ids}::uuid[])`.execute(db);
      expect(rows.every((row) => row.attempts === 0)).toBe(true);
      await redisServer.start();
      await drain();
      const applied = (await effects()).filter((row) => ids.includes(row.event_id));
      expect(applied).toHaveLength(5);
      expect(applied.every((row) => row.n === 1)).toBe(true);
    } finally {
      await consumer.close();
    }
  });
  it('gives every consumer every event, and publishes a row only once all of them acknowledged it', async () => {
    const fanOut = createOutboxRelay({
      db,
      schema: 'src',
      consumers: ['dst', 'dst2'],
      queueFor: transport.queueFor,
      acks: transport.acks,
      logger,
      clock,
      ackTimeoutMs,
    });
    const ids = await emit(6, 'fan');
    const first = startConsumer(2, 'dst');
    let second: ReturnType<typeof startConsumer> | undefined;
    try {
      expect((await fanOut.tick()).published).toBe(6);
      const deadline = Date.now() + 15_000;
      while ((await effects('dst')).filter((row) => ids.includes(row.event_id)).length < 6) {
        if (Date.now() > deadline) throw new Error('the first consumer did not apply the events');
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      // One consumer acknowledged: the rows wait for the other.
      expect((await fanOut.tick()).acknowledged).toBe(0);
      expect(await unpublished()).toBe(6);
      // The other was down past the ack timeout: the republish goes to it alone.
      clock.advance(ackTimeoutMs);
      expect((await fanOut.tick()).published).toBe(6);
      expect((await transport.queueFor('dst').counts()).waiting).toBe(0);
      expect((await transport.queueFor('dst2').counts()).waiting).toBe(6);
      second = startConsumer(2, 'dst2');
      const drained = Date.now() + 15_000;
      while ((await unpublished()) > 0) {
        if (Date.now() > drained) throw new Error('the rows were not acknowledged by both consumers');
        await fanOut.tick();
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      for (const schema of ['dst', 'dst2']) {
        const applied = (await effects(schema)).filter((row) => ids.includes(row.event_id));
        expect(applied.map((row) => row.event_id).sort()).toEqual([...ids].sort());
        expect(applied.every((row) => row.n === 1)).toBe(true);
      }
    } finally {
      await first.close();
      await second?.close();
      await fanOut.stop();
    }
  });
});
