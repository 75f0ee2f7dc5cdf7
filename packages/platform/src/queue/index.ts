import type { Logger } from 'pino';
import { z } from 'zod';
import { BullJobQueue } from './bullmq.ts';
import { inProcessQueue } from './memory.ts';
import { withDepthMetrics } from './metrics.ts';
import type { JobQueue } from './types.ts';
import { queueConfigShape } from './config.ts';

export { queueConfigShape } from './config.ts';

export * from './types.ts';
export * from './clock.ts';
export { BullJobQueue } from './bullmq.ts';
export { withDepthMetrics } from './metrics.ts';
export { MemoryJobQueue, inProcessQueue, type MemoryQueueDefaults } from './memory.ts';

export interface QueueSettings {
  /** BullMQ on this Redis; absent means the in-process queue (embedded mode). */
  redisUrl?: string;
  prefix: string;
  attempts: number;
  backoffMs: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  keepCompletedSeconds?: number;
  /** 0: a job that failed for good is dropped, so adding its id again runs it again. */
  keepFailedSeconds?: number;
  logger?: Logger;
  /** The service consuming the queue, for its depth metrics (default: the logger's `service`). */
  service?: string;
}

export function queueSettingsFromConfig(
  config: { REDIS_URL?: string } & Partial<Record<keyof typeof queueConfigShape, string | number>>,
  logger?: Logger,
): QueueSettings {
  const parsed = z
    .object(queueConfigShape)
    .parse(
      Object.fromEntries(
        Object.keys(queueConfigShape).map((key) => [key, config[key as keyof typeof queueConfigShape]]),
      ),
    );
  return {
    redisUrl: config.REDIS_URL,
    prefix: parsed.QUEUE_PREFIX,
    attempts: parsed.QUEUE_ATTEMPTS,
    backoffMs: parsed.QUEUE_BACKOFF_MS,
    lockDurationMs: parsed.QUEUE_LOCK_MS,
    stalledIntervalMs: parsed.QUEUE_STALLED_INTERVAL_MS,
    logger,
  };
}

/**
 * BullMQ when Redis is configured, else the process-wide in-process queue of that name; its depth
 * is on /metrics once a worker consumes it (withDepthMetrics).
 */
export function createJobQueue<T>(name: string, settings: QueueSettings): JobQueue<T> {
  const service = settings.service ?? (settings.logger?.bindings().service as string | undefined);
  const queue = makeJobQueue<T>(name, settings);
  return service ? withDepthMetrics(queue, service) : queue;
}

function makeJobQueue<T>(name: string, settings: QueueSettings): JobQueue<T> {
  if (settings.redisUrl) {
    return new BullJobQueue<T>({ name, ...settings, redisUrl: settings.redisUrl });
  }
  return inProcessQueue<T>(
    `${settings.prefix}:${name}`,
    {
      attempts: settings.attempts,
      backoffMs: settings.backoffMs,
      keepFailed: settings.keepFailedSeconds !== 0,
    },
    settings.logger,
  );
}
