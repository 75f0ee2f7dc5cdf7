import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { counter } from '../metrics.ts';
import { redisErrorFields } from '../redis.ts';
import type { JobQueue, QueueWorker } from '../queue/types.ts';
import type { AckChannel } from './acks.ts';
import type { EventEnvelope } from './envelope.ts';

const consumedTotal = counter(
  'events_consumed_total',
  'Events consumed, by outcome (processed or duplicate)',
  ['consumer', 'outcome'],
);

export interface EventConsumerOptions {
  db: Kysely<any>;
  /**
   * The consumer's schema, also its name towards the relays (which publish to its own queue and
   * wait for its acknowledgement); it must have a `processed_events` table (docs/notification.md).
   */
  schema: string;
  queue: JobQueue<EventEnvelope>;
  acks: AckChannel;
  logger: Logger;
  concurrency?: number;
  /** Applies one event inside the transaction that records it as processed. */
  handle(event: EventEnvelope, trx: Transaction<any>): Promise<void>;
}

/**
 * Consumes relayed events exactly once in effect: the event id goes into
 * `<schema>.processed_events` in the same transaction as the event's effects, so a redelivered
 * event (retry, republish after Redis lost data, two relays) changes nothing. The ack to the
 * source's relay follows the commit; a duplicate is acknowledged again in case the first ack
 * was lost.
 */
export function startEventConsumer(options: EventConsumerOptions): QueueWorker {
  const processed = sql.id(options.schema, 'processed_events');
  return options.queue.work(
    async (job) => {
      const event = job.data;
      const fresh = await options.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ event_id: string }>`
          insert into ${processed} (event_id, source, event_type)
          values (${event.id}, ${event.source}, ${event.type})
          on conflict (event_id) do nothing
          returning event_id`.execute(trx);
        if (rows.length === 0) return false;
        await options.handle(event, trx);
        return true;
      });
      consumedTotal.inc({ consumer: options.schema, outcome: fresh ? 'processed' : 'duplicate' });
      try {
        await options.acks.acknowledge(event.source, options.schema, [event.id]);
      } catch (error) {
        // The effects are committed; a lost ack only means one harmless redelivery later.
        options.logger.warn(
          { ...redisErrorFields(error), eventId: event.id },
          'event acknowledgement failed',
        );
      }
    },
    { concurrency: options.concurrency ?? 1 },
  );
}
