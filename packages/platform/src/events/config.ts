import { z } from 'zod';
import { env } from '../config.ts';
import { queueConfigShape } from '../queue/config.ts';

// Apart from the transport, so a config schema can be checked without loading BullMQ.
/** Event relay settings (spread into a service's config schema to make them settable). */
export const eventsConfigShape = {
  ...queueConfigShape,
  /** Base name of the event queues: each consumer has its own, `<EVENTS_QUEUE>.<consumer>`. */
  EVENTS_QUEUE: z
    .string()
    .regex(/^[\w.-]+$/)
    .default('events'),
  OUTBOX_POLL_MS: env.int(500, 10),
  OUTBOX_BATCH_SIZE: env.int(100, 1, 5_000),
  OUTBOX_ACK_TIMEOUT_MS: env.int(30_000, 100),
};
