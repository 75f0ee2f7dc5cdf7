import type { Logger } from 'pino';
import { z } from 'zod';
import type { Redis } from '../redis.ts';
import { createJobQueue, queueSettingsFromConfig } from '../queue/index.ts';
import { eventsConfigShape } from './config.ts';

export { eventsConfigShape } from './config.ts';
import type { JobQueue } from '../queue/types.ts';
import { inProcessAckChannel, redisAckChannel, type AckChannel } from './acks.ts';
import type { EventEnvelope } from './envelope.ts';

export interface EventTransport {
  /** The queue a consumer (named by its schema) takes its events from. */
  queueFor(consumer: string): JobQueue<EventEnvelope>;
  acks: AckChannel;
  settings: z.infer<z.ZodObject<typeof eventsConfigShape>>;
  close(): Promise<void>;
}

const consumerName = /^[a-z][a-z0-9_]*$/;

/** The event queues and ack channel: Redis when configured, in process otherwise. */
export function createEventTransport(
  config: { REDIS_URL?: string } & Record<string, unknown>,
  redis: Redis | undefined,
  logger?: Logger,
): EventTransport {
  const settings = z
    .object(eventsConfigShape)
    .parse(Object.fromEntries(Object.keys(eventsConfigShape).map((key) => [key, config[key]])));
  const queues = new Map<string, JobQueue<EventEnvelope>>();
  const queueFor = (consumer: string) => {
    let queue = queues.get(consumer);
    if (!queue) {
      if (!consumerName.test(consumer)) throw new Error(`not an event consumer name: ${consumer}`);
      queue = createJobQueue<EventEnvelope>(`${settings.EVENTS_QUEUE}.${consumer}`, {
        ...queueSettingsFromConfig(config as never, logger),
        // Consumers dedupe by event id; a republished event must become a new job, also after its
        // previous job used up every attempt (the outbox row, still unacknowledged, is the dead letter).
        keepCompletedSeconds: 0,
        keepFailedSeconds: 0,
      });
      queues.set(consumer, queue);
    }
    return queue;
  };
  const acks = redis
    ? redisAckChannel(redis, settings.QUEUE_PREFIX)
    : inProcessAckChannel(settings.QUEUE_PREFIX);
  return {
    queueFor,
    acks,
    settings,
    close: async () => {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}
