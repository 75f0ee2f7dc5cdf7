import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Redis } from '../redis.ts';
import type { JobQueue, QueueWorker } from '../queue/types.ts';
import { startEventConsumer } from './consumer.ts';
import type { EventEnvelope } from './envelope.ts';
import { createEventTransport } from './transport.ts';

export interface EventSubscriptionOptions {
  /** The consuming service's schema (it holds `processed_events`), also its name to the relays. */
  consumer: string;
  concurrency?: number;
  /** Applies one event inside the transaction that records it as processed. */
  handle(event: EventEnvelope, trx: Transaction<any>): Promise<void>;
}

export interface EventSubscription {
  /** The consumer's own event queue (operations, tests). */
  readonly queue: JobQueue<EventEnvelope>;
  /** Starts taking events; a service may start it later (after restoring in-process state). */
  start(): QueueWorker;
  close(): Promise<void>;
}

/**
 * What a service that keeps a projection of another service's events needs: its queue on the
 * shared transport and an idempotent consumer. Nothing is lost while Redis or the consumer is
 * down: the source's relay publishes every row again until this consumer acknowledged it.
 */
export function createEventSubscription(
  runtime: { config: { REDIS_URL?: string }; redis?: Redis; db: Kysely<any>; logger: Logger },
  options: EventSubscriptionOptions,
): EventSubscription {
  const transport = createEventTransport(
    runtime.config as { REDIS_URL?: string } & Record<string, unknown>,
    runtime.redis,
    runtime.logger,
  );
  const queue = transport.queueFor(options.consumer);
  return {
    queue,
    start: () =>
      startEventConsumer({
        db: runtime.db,
        schema: options.consumer,
        queue,
        acks: transport.acks,
        logger: runtime.logger,
        concurrency: options.concurrency,
        handle: options.handle,
      }),
    close: () => transport.close(),
  };
}

/**
 * An event's payload checked against its schema. A malformed one is logged and yields
 * undefined, so the caller skips it: retrying cannot fix it.
 */
export function parseEventPayload<T>(
  event: EventEnvelope,
  schema: z.ZodType<T>,
  logger: Logger,
): T | undefined {
  const result = schema.safeParse(event.payload);
  if (result.success) return result.data;
  logger.error(
    { eventId: event.id, type: event.type, issues: result.error.issues },
    'malformed event payload skipped',
  );
  return undefined;
}
