import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export { Redis } from 'ioredis';

/**
 * A Redis client that fails fast instead of queueing commands forever while Redis is down, so
 * callers (cache, rate limiter) can fall back to their in-process paths at once. A Redis that
 * accepts the connection but stops answering (frozen, overloaded) fails commands after
 * `commandTimeout` (1 s by default) for the same reason. Not for blocking commands or BullMQ,
 * which make their own connections.
 */
export function createRedis(url: string, logger?: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
    ...options,
  });
  let lastError = '';
  redis.on('error', (error: Error) => {
    // ioredis repeats the same error on every reconnect attempt; log each distinct one once.
    if (error.message !== lastError) logger?.warn({ err: error }, 'redis error');
    lastError = error.message;
  });
  redis.on('ready', () => {
    if (lastError) logger?.info('redis connection restored');
    lastError = '';
  });
  return redis;
}

export async function pingRedis(redis: Redis) {
  if (redis.status !== 'ready') throw new Error(`redis ${redis.status}`);
  await redis.ping();
}
