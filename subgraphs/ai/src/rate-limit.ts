import { rateLimitDirective } from 'graphql-rate-limit-directive';
import type { GraphQLSchema } from 'graphql';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { codedError, createRateLimiter, ErrorCode, type Identity, type Redis } from '@traveloure/platform';
import { callerKey } from './identity.ts';

/**
 * `@rateLimit(limit, duration)` on fields, with graphql-rate-limit-directive on
 * rate-limiter-flexible: counters in Redis (atomic, shared by replicas, with an in-memory
 * insurance limiter) or in memory in embedded mode. Keys are per field and per caller (user or
 * API key; the client address only for anonymous calls), never global.
 */
export function rateLimitTransformer(options: {
  redis?: Redis;
  keyPrefix: string;
}): (schema: GraphQLSchema) => GraphQLSchema {
  // The directive makes one limiter per (limit, duration); each goes through the platform's factory.
  class PlatformLimiter {
    constructor(limiterOptions: { keyPrefix: string; points: number; duration: number }) {
      return createRateLimiter({
        keyPrefix: limiterOptions.keyPrefix,
        points: limiterOptions.points,
        durationSeconds: limiterOptions.duration,
        redis: options.redis,
      }) as unknown as PlatformLimiter;
    }
  }
  const { rateLimitDirectiveTransformer } = rateLimitDirective<{ identity: Identity }>({
    name: 'rateLimit',
    limiterClass: PlatformLimiter as unknown as typeof RateLimiterAbstract,
    limiterOptions: { keyPrefix: `${options.keyPrefix}:rl` },
    keyGenerator: (_directiveArgs, _source, _args, context, info) => {
      const caller = callerKey(context.identity) ?? `ip:${context.identity.ip ?? 'unknown'}`;
      return `${info.parentType.name}.${info.fieldName}:${caller}`;
    },
    onLimit: (response) => {
      const retryAfter = Math.max(1, Math.ceil(response.msBeforeNext / 1000));
      throw codedError(ErrorCode.RATE_LIMITED, `Too many requests; try again in ${retryAfter} seconds.`, {
        retryAfter,
      });
    },
  });
  return rateLimitDirectiveTransformer;
}
