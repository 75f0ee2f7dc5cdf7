import type { Redis } from 'ioredis';

/**
 * Consumers acknowledge events they have durably processed; the relay marks those outbox rows
 * published. Acks ride on Redis (or in process in embedded mode). An ack lost with Redis only
 * means the row is published again after the ack timeout, and the consumer dedupes it.
 */
export interface AckChannel {
  acknowledge(source: string, eventIds: string[]): Promise<void>;
  /** Takes up to `max` acknowledged ids for `source`. */
  take(source: string, max: number): Promise<string[]>;
}

export function redisAckChannel(redis: Redis, prefix: string): AckChannel {
  const key = (source: string) => `${prefix}:outbox-acks:${source}`;
  return {
    acknowledge: async (source, eventIds) => {
      if (eventIds.length > 0) await redis.rpush(key(source), ...eventIds);
    },
    take: async (source, max) => (await redis.lpop(key(source), max)) ?? [],
  };
}

const inProcessAcks = new Map<string, string[]>();

/** The process-wide ack lists (embedded mode: relay and consumer share a process). */
export function inProcessAckChannel(prefix: string): AckChannel {
  const list = (source: string) => {
    const key = `${prefix}:${source}`;
    let ids = inProcessAcks.get(key);
    if (!ids) inProcessAcks.set(key, (ids = []));
    return ids;
  };
  return {
    acknowledge: async (source, eventIds) => void list(source).push(...eventIds),
    take: async (source, max) => list(source).splice(0, max),
  };
}
