import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';

export { RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimiterOptions {
  /** Namespace of the counters, e.g. `edge:user` or `ai:planItinerary`. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /** Counters live in Redis when given, so every replica shares them. */
  redis?: Redis;
  /**
   * Once a key has spent its budget, refuse it from process memory until its window ends,
   * without asking Redis again: a flood over the limit then costs no Redis round trip per
   * request. The refusals are the ones Redis would give (the budget is spent until the window
   * resets); other replicas learn of it from Redis on their own next call.
   */
  blockInMemoryWhenSpent?: boolean;
}

/**
 * A rate limiter on rate-limiter-flexible. With Redis, counters are shared by every replica and
 * updated atomically; when Redis is unreachable an in-memory insurance limiter with the same
 * budget takes over, so limits are never lifted by an outage. Without Redis (embedded mode),
 * the in-memory limiter is the only one.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiterAbstract {
  const memory = new RateLimiterMemory({
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.durationSeconds,
  });
  if (!options.redis) return memory;
  return new RateLimiterRedis({
    storeClient: options.redis,
    useRedisPackage: false,
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.durationSeconds,
    insuranceLimiter: memory,
    // With no inMemoryBlockDuration, a key is blocked for what is left of its window.
    ...(options.blockInMemoryWhenSpent ? { inMemoryBlockOnConsumed: options.points } : {}),
    // Commands fail fast (the client has no offline queue); fall to insurance quickly.
    rejectIfRedisNotReady: true,
  });
}

/** The standard rate-limit headers (IETF draft) for a consumed or rejected request. */
export function rateLimitHeaders(limit: number, result: RateLimiterRes): Record<string, string> {
  const resetSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
  return {
    'RateLimit-Limit': String(limit),
    'RateLimit-Remaining': String(Math.max(0, result.remainingPoints)),
    'RateLimit-Reset': String(resetSeconds),
  };
}

export function isRateLimited(error: unknown): error is RateLimiterRes {
  return error instanceof RateLimiterRes;
}
