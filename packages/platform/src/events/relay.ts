import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { counter, gauge } from '../metrics.ts';
import { isRedisConnectionError, redisErrorFields } from '../redis.ts';
import { isDependencyUnavailable } from '../errors.ts';
import { reportError } from '../sentry.ts';
import { systemClock, type Clock } from '../queue/clock.ts';
import type { JobQueue } from '../queue/types.ts';
import type { OutboxRow } from '../outbox.ts';
import type { AckChannel } from './acks.ts';
import { eventJobId, type EventEnvelope } from './envelope.ts';

const publishedTotal = counter(
  'outbox_events_published_total',
  'Outbox rows handed to the event queue (republishes included)',
  ['schema'],
);
const acknowledgedTotal = counter(
  'outbox_events_acknowledged_total',
  'Outbox rows a consumer acknowledged (marked published)',
  ['schema'],
);
const inFlightGauge = gauge('outbox_events_in_flight', 'Outbox rows published and awaiting acknowledgement', [
  'schema',
]);
const relayErrors = counter(
  'outbox_relay_errors_total',
  'Relay passes that failed (database or queue unavailable)',
  ['schema'],
);

export interface OutboxRelayOptions {
  db: Kysely<any>;
  /** The schema whose `outbox` table is relayed. */
  schema: string;
  /**
   * Who consumes this outbox (their schemas). Every row goes to each consumer's own queue and
   * counts as published once all of them acknowledged it.
   */
  consumers: readonly string[];
  /** The queue of one consumer. */
  queueFor(consumer: string): JobQueue<EventEnvelope>;
  acks: AckChannel;
  logger: Logger;
  clock?: Clock;
  batchSize?: number;
  pollIntervalMs?: number;
  /** A row published but not acknowledged within this time is published again. */
  ackTimeoutMs?: number;
  /** At most this many rows awaiting acknowledgement (back-pressure on a stuck consumer). */
  maxInFlight?: number;
}

export interface RelayPass {
  acknowledged: number;
  published: number;
}

export interface OutboxRelay {
  /** One pass: record acknowledgements, then publish a batch. */
  tick(): Promise<RelayPass>;
  start(): void;
  stop(): Promise<void>;
  readonly inFlight: number;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Relays a schema's transactional outbox to the queue of each of its consumers (a queue per
 * consumer, so every consumer sees every event; consumers sharing one queue would split them).
 *
 * "Published" has to survive the broker losing its data, so a row counts as published only
 * when every consumer acknowledged it (after committing the event's effects and recording the
 * event id in its processed-events table). Until then the row stays unpublished and in flight:
 * published again if not every acknowledgement arrives within `ackTimeoutMs` (Redis flushed or
 * restarted, a consumer down), and on every relay start; a republish skips the consumers whose
 * acknowledgement is on record. Consumers dedupe by event id, and the queue ignores a job id it
 * still holds, so republishing is harmless. `attempts` counts publications. Rows are claimed
 * with `for update skip locked`, so several relays (replicas) can run side by side.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const clock = options.clock ?? systemClock;
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
  const maxInFlight = options.maxInFlight ?? 10_000;
  if (options.consumers.length === 0) throw new Error(`outbox ${options.schema}: no consumers`);
  const outbox = sql.id(options.schema, 'outbox');
  const labels = { schema: options.schema };
  // Event id -> when it was last published by this relay.
  const inFlight = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let failing = false;

  async function markPublished(ids: string[]) {
    if (ids.length === 0) return;
    await sql`update ${outbox} set published_at = now()
      where id = any(${ids}::uuid[]) and published_at is null`.execute(options.db);
    for (const id of ids) inFlight.delete(id);
  }

  async function recordAcks(): Promise<number> {
    let total = 0;
    for (;;) {
      const { taken, complete } = await options.acks.take(options.schema, options.consumers, 500);
      if (taken === 0) return total;
      const ids = complete.filter((id) => uuidPattern.test(id));
      await markPublished(ids);
      total += ids.length;
    }
  }

  async function publishBatch(): Promise<number> {
    const now = clock.now();
    for (const [id, publishedAt] of inFlight) {
      if (now - publishedAt >= ackTimeoutMs) inFlight.delete(id);
    }
    const room = Math.min(batchSize, maxInFlight - inFlight.size);
    if (room <= 0) return 0;
    const waiting = [...inFlight.keys()];
    // A cheap look first, so an idle relay opens no transaction (and takes no locks) per poll.
    const { rows: candidates } = await sql`select 1 from ${outbox}
      where published_at is null and not (id = any(${waiting}::uuid[])) limit 1`.execute(options.db);
    if (candidates.length === 0) return 0;
    const { published, complete } = await options.db.transaction().execute(async (trx) => {
      const { rows } = await sql<
        Omit<OutboxRow, 'published_at'>
      >`select id, aggregate_type, aggregate_id, event_type, payload, created_at, attempts
        from ${outbox}
        where published_at is null and not (id = any(${waiting}::uuid[]))
        order by created_at, id
        limit ${room}
        for update skip locked`.execute(trx);
      // Only a row published before can have acknowledgements on record.
      const republished = rows.filter((row) => row.attempts > 0).map((row) => row.id);
      const acked = republished.length
        ? await options.acks.acknowledgedBy(options.schema, republished)
        : new Map<string, Set<string>>();
      const pending = (row: (typeof rows)[number]) =>
        options.consumers.filter((consumer) => !acked.get(row.id)?.has(consumer));
      // Every consumer acknowledged it, but the notice was lost: published, nothing to send.
      const complete = rows.filter((row) => pending(row).length === 0).map((row) => row.id);
      const published = rows.filter((row) => pending(row).length > 0);
      for (const consumer of options.consumers) {
        const jobs = published
          .filter((row) => !acked.get(row.id)?.has(consumer))
          .map((row) => ({
            name: row.event_type,
            data: {
              id: row.id,
              source: options.schema,
              type: row.event_type,
              aggregateType: row.aggregate_type,
              aggregateId: row.aggregate_id,
              payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
              occurredAt: new Date(row.created_at).toISOString(),
            },
            options: { jobId: eventJobId(row.id) },
          }));
        if (jobs.length > 0) await options.queueFor(consumer).addBulk(jobs);
      }
      if (published.length > 0) {
        await sql`update ${outbox} set attempts = attempts + 1
          where id = any(${published.map((row) => row.id)}::uuid[])`.execute(trx);
      }
      return { published, complete };
    });
    await markPublished(complete);
    for (const row of published) inFlight.set(row.id, now);
    publishedTotal.inc(labels, published.length);
    return published.length;
  }

  async function tick(): Promise<RelayPass> {
    const acknowledged = await recordAcks();
    acknowledgedTotal.inc(labels, acknowledged);
    const published = await publishBatch();
    inFlightGauge.set(labels, inFlight.size);
    return { acknowledged, published };
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .then((pass) => {
          if (failing) options.logger.info({ schema: options.schema }, 'outbox relay recovered');
          failing = false;
          schedule(pass.published === batchSize ? 0 : pollIntervalMs);
        })
        .catch((error: unknown) => {
          relayErrors.inc(labels);
          if (!failing) {
            // An unreachable database or Redis is an outage (metrics, readiness); anything
            // else is a bug, reported once when the relay starts failing.
            if (!isDependencyUnavailable(error) && !isRedisConnectionError(error)) {
              reportError(error, { job: `outbox-relay/${options.schema}` });
            }
            options.logger.warn(
              { ...redisErrorFields(error), schema: options.schema },
              'outbox relay pass failed; rows stay unpublished and will be replayed',
            );
          }
          failing = true;
          schedule(pollIntervalMs);
        });
    }, delayMs);
    timer.unref();
  }

  return {
    tick,
    get inFlight() {
      return inFlight.size;
    },
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
