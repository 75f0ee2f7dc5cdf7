import type { Request, Response, NextFunction } from 'express';
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import {
  counter,
  createRateLimiter,
  ErrorCode,
  isRateLimited,
  rateLimitHeaders,
  sendGraphQLError,
  type Identity,
  type Logger,
  type Redis,
} from '@traveloure/platform';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { GatewayContext } from '../context.ts';
import { rootFields } from './scopes.ts';

const rejected = counter('gateway_rate_limited_total', 'Requests refused by the rate limiter', [
  'service',
  'kind',
] as const);

export interface RateLimitSettings {
  windowSeconds: number;
  anonymous: number;
  user: number;
  apiKeyDefault: number;
}

export type RateDecision =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; headers: Record<string, string>; retryAfterSeconds: number };

/**
 * Limits per identity: a user (JWT subject), an API key (its own limit) or, for anonymous
 * callers, the client address. Counters live in Redis so every gateway replica shares them; if
 * Redis is unreachable an in-process limiter with the same budget takes over (never unbounded).
 */
export function createEdgeRateLimiter(options: {
  settings: RateLimitSettings;
  redis?: Redis;
  logger: Logger;
  keyPrefix?: string;
  apiKeyLimit?: (identity: Identity) => number | undefined;
}) {
  const limiters = new Map<string, RateLimiterAbstract>();
  const limiterFor = (kind: string, points: number) => {
    const name = `${kind}:${points}`;
    let limiter = limiters.get(name);
    if (!limiter) {
      limiter = createRateLimiter({
        keyPrefix: `${options.keyPrefix ?? 'edge:rl'}:${kind}`,
        points,
        durationSeconds: options.settings.windowSeconds,
        redis: options.redis,
        blockInMemoryWhenSpent: true,
      });
      limiters.set(name, limiter);
    }
    return limiter;
  };

  const subjectOf = (identity: Identity) => {
    if (identity.user) return { kind: 'user', key: identity.user.id, limit: options.settings.user };
    if (identity.apiKey) {
      const limit = options.apiKeyLimit?.(identity) ?? options.settings.apiKeyDefault;
      return { kind: 'key', key: identity.apiKey.id, limit };
    }
    return { kind: 'ip', key: identity.ip ?? 'unknown', limit: options.settings.anonymous };
  };

  return {
    async consume(identity: Identity, points = 1): Promise<RateDecision> {
      const subject = subjectOf(identity);
      const limiter = limiterFor(subject.kind, subject.limit);
      try {
        const result = await limiter.consume(subject.key, points);
        return { allowed: true, headers: rateLimitHeaders(subject.limit, result) };
      } catch (error) {
        if (!isRateLimited(error)) throw error;
        const result = error as RateLimiterRes;
        rejected.inc({ service: 'gateway', kind: subject.kind });
        const retryAfterSeconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
        return {
          allowed: false,
          retryAfterSeconds,
          headers: { ...rateLimitHeaders(subject.limit, result), 'Retry-After': String(retryAfterSeconds) },
        };
      }
    },
  };
}

export type EdgeRateLimiter = ReturnType<typeof createEdgeRateLimiter>;

export function rateLimitedMessage(retryAfterSeconds: number) {
  return `Rate limit exceeded; retry in ${retryAfterSeconds} s.`;
}

/**
 * Puts a decision's RateLimit-* headers on the response and, when it refuses, answers 429 with
 * RATE_LIMITED and `retryAfter`. Returns whether the request was refused (and answered).
 */
export function answerRateDecision(req: Request, res: Response, decision: RateDecision): boolean {
  for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
  if (decision.allowed) return false;
  sendGraphQLError(
    res,
    429,
    ErrorCode.RATE_LIMITED,
    rateLimitedMessage(decision.retryAfterSeconds),
    req.requestId,
    {
      retryAfter: decision.retryAfterSeconds,
    },
  );
  return true;
}

/** Takes `points` from the caller's budget; answers 429 and returns true when it is spent. */
export async function chargeOrRefuse(
  limiter: EdgeRateLimiter,
  req: Request,
  res: Response,
  identity: Identity,
  points: number,
): Promise<boolean> {
  return answerRateDecision(req, res, await limiter.consume(identity, points));
}

/**
 * A refused credential costs the client address a point of its anonymous budget, so guessing
 * keys or tokens (each guess a key lookup) is limited like any anonymous traffic.
 */
export function chargeRefusedCredential(limiter: EdgeRateLimiter, req: Request, res: Response) {
  return chargeOrRefuse(
    limiter,
    req,
    res,
    { requestId: req.requestId, ...(req.ip ? { ip: req.ip } : {}) },
    1,
  );
}

/**
 * What an operation costs beyond its request's point: one per root field after the first
 * (`__typename` is free), so twenty aliased root fields cost what twenty requests would. The
 * response cache keeps this with an answer and charges it again on every hit.
 */
export function extraRootFieldPoints(operation: OperationDefinitionNode, document: DocumentNode): number {
  const fragments = Object.fromEntries(
    document.definitions
      .filter(
        (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
      )
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const roots = rootFields(operation, fragments).filter((field) => field.name.value !== '__typename');
  return Math.max(0, roots.length - 1);
}

/** One point per HTTP request, before any parsing: floods are refused cheaply. */
export function rateLimitMiddleware(limiter: EdgeRateLimiter) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (await chargeOrRefuse(limiter, req, res, res.locals.identity as Identity, 1)) return;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** The extra root fields' points (extraRootFieldPoints), once the operation is resolved. */
export function rateLimitPlugin(limiter: EdgeRateLimiter): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue, response }) {
          if (!operation) return;
          const extra = extraRootFieldPoints(operation, document);
          if (extra <= 0) return;
          const decision = await limiter.consume(contextValue.identity, extra);
          for (const [name, value] of Object.entries(decision.headers))
            response.http.headers.set(name.toLowerCase(), value);
          if (!decision.allowed) {
            throw new GraphQLError(rateLimitedMessage(decision.retryAfterSeconds), {
              extensions: {
                code: ErrorCode.RATE_LIMITED,
                retryAfter: decision.retryAfterSeconds,
                http: {
                  status: 429,
                  headers: new HeaderMap(
                    Object.entries(decision.headers).map(([k, v]) => [k.toLowerCase(), v]),
                  ),
                },
              },
            });
          }
        },
      };
    },
  };
}
