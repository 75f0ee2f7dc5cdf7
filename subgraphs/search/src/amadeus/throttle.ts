import {
  RateLimiterMemory,
  RateLimiterQueue,
  type RateLimiterAbstract,
  type RateLimiterRes,
} from 'rate-limiter-flexible';
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
  /** A shared-budget Redis command slower than this is answered by this process' own window. */
  sharedBudgetMs?: number;
}

/**
 * The shared window, except that a Redis that hangs (up, but not answering) must not hold the
 * search up: a down Redis is refused at once and the platform limiter falls back to memory, but
 * a hung one would keep every call waiting until its upstream timeout, and the Amadeus breaker
 * would count those timeouts against Amadeus. Past `budgetMs` this process' window answers.
 */
function boundedBy(
  budgetMs: number,
  shared: RateLimiterAbstract,
  local: RateLimiterAbstract,
): RateLimiterAbstract {
  const bounded = {
    points: shared.points,
    get: (key: string | number) => shared.get(key),
    consume(key: string | number, points?: number): Promise<RateLimiterRes> {
      let timer: NodeJS.Timeout | undefined;
      const fallback = new Promise<RateLimiterRes>((resolve, reject) => {
        timer = setTimeout(() => local.consume(key, points).then(resolve, reject), budgetMs);
      });
      return Promise.race([shared.consume(key, points), fallback]).finally(() => clearTimeout(timer));
    },
  };
  // RateLimiterQueue only calls points, get and consume.
  return bounded as unknown as RateLimiterAbstract;
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
  const window = { keyPrefix: options.keyPrefix, points: options.tps, durationSeconds: 1 };
  const sharedWindow = options.redis
    ? boundedBy(
        options.sharedBudgetMs ?? 250,
        createRateLimiter({ ...window, redis: options.redis }),
        createRateLimiter(window),
      )
    : createRateLimiter(window);
  const shared = new RateLimiterQueue(sharedWindow, { maxQueueSize: options.maxQueueSize });
  return {
    async removeTokens(tokens: number) {
      await pacer.removeTokens(tokens);
      return shared.removeTokens(tokens);
    },
  };
}
