import { RateLimiterMemory, RateLimiterQueue } from 'rate-limiter-flexible';
import { createRateLimiter, type Redis } from '@traveloure/platform';
import type { RequestThrottle } from './client.ts';

export interface AmadeusThrottleOptions {
  /** Calls per second the API key allows (the test host: 10). */
  tps: number;
  /** With Redis, every replica shares one per-second budget (the limit is per API key). */
  redis?: Redis;
  keyPrefix: string;
  /** Calls that may wait for a slot; beyond it a call fails at once. */
  maxQueueSize: number;
}

/**
 * Keeps Amadeus calls within `tps` per second. A one-second window alone lets up to 2 x tps
 * calls through in a second that straddles two windows (tps at the end of one, tps at the
 * start of the next), and the API answers those with 429. So this process also paces its
 * calls, one every 1000/tps ms plus 5% for network jitter, and the shared window keeps the
 * replicas together within the key's budget.
 */
export function createAmadeusThrottle(options: AmadeusThrottleOptions): RequestThrottle {
  const intervalMs = Math.ceil((1000 / options.tps) * 1.05);
  const pacer = new RateLimiterQueue(new RateLimiterMemory({ points: 1, duration: intervalMs / 1000 }), {
    maxQueueSize: options.maxQueueSize,
  });
  const shared = new RateLimiterQueue(
    createRateLimiter({ keyPrefix: options.keyPrefix, points: options.tps, durationSeconds: 1, redis: options.redis }),
    { maxQueueSize: options.maxQueueSize },
  );
  return {
    async removeTokens(tokens: number) {
      await pacer.removeTokens(tokens);
      return shared.removeTokens(tokens);
    },
  };
}
