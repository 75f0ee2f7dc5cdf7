import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { env } from '../config.ts';
import type { Redis } from '../redis.ts';
import { createJobQueue, queueConfigShape, queueSettingsFromConfig } from '../queue/index.ts';
import type { Clock } from '../queue/clock.ts';
import type { JobQueue } from '../queue/types.ts';
import { inProcessAckChannel, redisAckChannel, type AckChannel } from './acks.ts';
import type { EventEnvelope } from './envelope.ts';
import { createOutboxRelay, type OutboxRelay } from './relay.ts';

export * from './envelope.ts';
export * from './acks.ts';
export * from './relay.ts';
export * from './consumer.ts';

/** Event relay settings (spread into a service's config schema to make them settable). */
export const eventsConfigShape = {
  ...queueConfigShape,
  EVENTS_QUEUE: z.string().min(1).default('events'),
  OUTBOX_POLL_MS: env.int(500, 10),
  OUTBOX_BATCH_SIZE: env.int(100, 1, 5_000),
  OUTBOX_ACK_TIMEOUT_MS: env.int(30_000, 100),
};

export interface EventTransport {
  queue: JobQueue<EventEnvelope>;
  acks: AckChannel;
  settings: z.infer<z.ZodObject<typeof eventsConfigShape>>;
  close(): Promise<void>;
}

/** The events queue and ack channel: Redis when configured, in process otherwise. */
export function createEventTransport(
  config: { REDIS_URL?: string } & Record<string, unknown>,
  redis: Redis | undefined,
  logger?: Logger,
): EventTransport {
  const settings = z
    .object(eventsConfigShape)
    .parse(Object.fromEntries(Object.keys(eventsConfigShape).map((key) => [key, config[key]])));
  const queue = createJobQueue<EventEnvelope>(settings.EVENTS_QUEUE, {
    ...queueSettingsFromConfig(config as never, logger),
    // Consumers dedupe by event id; a republished event must become a new job, also after its
    // previous job used up every attempt (the outbox row, still unacknowledged, is the dead letter).
    keepCompletedSeconds: 0,
    keepFailedSeconds: 0,
  });
  const acks = redis
    ? redisAckChannel(redis, settings.QUEUE_PREFIX)
    : inProcessAckChannel(settings.QUEUE_PREFIX);
  return { queue, acks, settings, close: () => queue.close() };
}

/**
 * Starts the relay of `schema`'s outbox for a service that owns one. Call from the service's
 * `create` and stop it in `stop`:
 *   const relay = startOutboxRelay(runtime, 'trip');  ...  stop: () => relay.stop()
 */
export function startOutboxRelay(
  runtime: { config: { REDIS_URL?: string }; redis?: Redis; db: Kysely<any>; logger: Logger },
  schema: string,
  options: { clock?: Clock } = {},
): OutboxRelay & { transport: EventTransport } {
  const transport = createEventTransport(
    runtime.config as { REDIS_URL?: string } & Record<string, unknown>,
    runtime.redis,
    runtime.logger,
  );
  const relay = createOutboxRelay({
    db: runtime.db,
    schema,
    queue: transport.queue,
    acks: transport.acks,
    logger: runtime.logger,
    clock: options.clock,
    batchSize: transport.settings.OUTBOX_BATCH_SIZE,
    pollIntervalMs: transport.settings.OUTBOX_POLL_MS,
    ackTimeoutMs: transport.settings.OUTBOX_ACK_TIMEOUT_MS,
  });
  relay.start();
  return {
    transport,
    tick: () => relay.tick(),
    start: () => relay.start(),
    get inFlight() {
      return relay.inFlight;
    },
    stop: async () => {
      await relay.stop();
      await transport.close();
    },
  };
}
