import { rateLimitDirective } from 'graphql-rate-limit-directive';
import { Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import {
  codedError,
  createRateLimiter,
  ErrorCode,
  isRateLimited,
  type Identity,
  type Redis,
} from '@traveloure/platform';
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
      throw rateLimited(response.msBeforeNext, 'requests');
    },
  });
  return rateLimitDirectiveTransformer;
}

function rateLimited(msBeforeNext: number, what: string) {
  const retryAfter = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return codedError(ErrorCode.RATE_LIMITED, `Too many ${what}; try again in ${retryAfter} seconds.`, {
    retryAfter,
  });
}

/** Counts generations (LLM or planner runs) per field and caller; see `@generationLimit`. */
export interface GenerationLimits {
  /** Takes one generation from the caller's budget for `coordinate` (`Type.field`), or throws RATE_LIMITED. */
  consume(coordinate: string, identity: Identity): Promise<void>;
}

/**
 * `@generationLimit(limit, duration)` read from the SDL: unlike `@rateLimit`, nothing is counted
 * when the field resolves, only when it has to generate (a cache miss with nothing stored), so
 * reading a stored suggestion again and again is free. Same counters as `@rateLimit` (Redis,
 * in memory in embedded mode), keyed per field and per caller.
 */
export function generationLimits(
  typeDefs: DocumentNode,
  options: { redis?: Redis; keyPrefix: string },
): GenerationLimits {
  const limiters = new Map<string, RateLimiterAbstract>();
  for (const definition of typeDefs.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION)
      continue;
    for (const field of definition.fields ?? []) {
      const directive = field.directives?.find((candidate) => candidate.name.value === 'generationLimit');
      if (!directive) continue;
      const argument = (name: string) => {
        const value = directive.arguments?.find((candidate) => candidate.name.value === name)?.value;
        if (value?.kind !== Kind.INT)
          throw new Error(`@generationLimit on ${field.name.value} needs ${name}`);
        return Number(value.value);
      };
      const coordinate = `${definition.name.value}.${field.name.value}`;
      limiters.set(
        coordinate,
        createRateLimiter({
          keyPrefix: `${options.keyPrefix}:gl:${coordinate}`,
          points: argument('limit'),
          durationSeconds: argument('duration'),
          redis: options.redis,
        }),
      );
    }
  }
  return {
    async consume(coordinate, identity) {
      const limiter = limiters.get(coordinate);
      if (!limiter) throw new Error(`no @generationLimit on ${coordinate}`);
      const caller = callerKey(identity) ?? `ip:${identity.ip ?? 'unknown'}`;
      try {
        await limiter.consume(caller);
      } catch (error) {
        if (isRateLimited(error)) throw rateLimited(error.msBeforeNext, 'new suggestions');
        throw error;
      }
    },
  };
}
