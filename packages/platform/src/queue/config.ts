import { z } from 'zod';
import { env } from '../config.ts';

// Apart from the queues themselves, so a config schema can be checked without loading BullMQ.
/** Queue settings every service with queues shares (spread into its config schema). */
export const queueConfigShape = {
  QUEUE_PREFIX: z.string().min(1).default('traveloure'),
  QUEUE_ATTEMPTS: env.int(5, 1, 50),
  QUEUE_BACKOFF_MS: env.int(1_000, 1),
  QUEUE_LOCK_MS: env.int(30_000, 500),
  QUEUE_STALLED_INTERVAL_MS: env.int(30_000, 100),
};
