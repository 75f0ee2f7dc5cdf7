import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import {
  counter,
  ErrorCode,
  jsonBody as platformJsonBody,
  runWithRequestContext,
  sendGraphQLError,
  type Identity,
  type Logger,
} from '@traveloure/platform';
import { AuthenticationError, type Authenticator } from './auth.ts';
import { limitRejections } from './limits.ts';
import { answerRateDecision, type EdgeRateLimiter, type RateDecision } from './rate-limit.ts';

const authenticationFailures = counter(
  'gateway_authentication_failures_total',
  'Requests refused for bad credentials',
  ['service', 'credential'] as const,
);

/**
 * Security headers for every response. The CSP allows the self-hosted explorer (its bundle and
 * stylesheet come from this origin; GraphiQL sets inline styles) and nothing from elsewhere.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'worker-src': ["'self'", 'blob:'],
        'connect-src': ["'self'"],
      },
    },
    strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: true },
  });
}

/** CORS for the origins in CORS_ORIGINS (`*` for any); credentials (cookies) never travel. */
export function corsAllowlist(origins: string[]): RequestHandler {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return cors({
    origin: (origin, callback) =>
      callback(null, !origin ? false : any || allowed.has(origin) ? origin : false),
    credentials: false,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: [
      'authorization',
      'content-type',
      'x-api-key',
      'x-request-id',
      'apollo-require-preflight',
      'x-apollo-operation-name',
      'traceparent',
    ],
    exposedHeaders: [
      'x-request-id',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'retry-after',
    ],
    maxAge: 600,
  });
}

/**
 * Establishes who is calling (JWT, API key or anonymous); bad credentials get a 401. A refused
 * credential costs the client address a point of its anonymous budget, so guessing keys or
 * tokens (each guess a key lookup) is rate limited like any anonymous traffic: 429 once spent.
 */
export function authenticationMiddleware(
  authenticator: Authenticator,
  logger: Logger,
  limiter?: EdgeRateLimiter,
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    let identity: Identity;
    try {
      const apiKey = req.headers['x-api-key'];
      identity = await authenticator.authenticate({
        authorization: req.headers.authorization,
        apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey,
        requestId: req.requestId,
        ip: req.ip,
      });
    } catch (error) {
      if (!(error instanceof AuthenticationError)) return next(error);
      logger.info({ reason: error.message, ip: req.ip }, 'authentication refused');
      authenticationFailures.inc({
        service: 'gateway',
        credential: req.headers['x-api-key'] ? 'api_key' : 'token',
      });
      if (limiter) {
        let decision: RateDecision;
        try {
          decision = await limiter.consume(
            { requestId: req.requestId, ...(req.ip ? { ip: req.ip } : {}) },
            1,
          );
        } catch (limiterError) {
          return next(limiterError);
        }
        if (answerRateDecision(req, res, decision)) return;
      }
      res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      return sendGraphQLError(res, 401, ErrorCode.UNAUTHENTICATED, error.message, req.requestId);
    }
    res.locals.identity = identity;
    runWithRequestContext(
      { requestId: req.requestId, identity, traceparent: req.headers.traceparent as string | undefined },
      () => next(),
    );
  };
}

/**
 * JSON bodies as every service parses them (size and depth limits, coded errors; see the
 * platform's jsonBody), refusals counted. A JSON array (an HTTP batch) is refused: one
 * operation per request keeps limits meaningful.
 */
export function jsonBody(limits: { limitBytes: number; maxDepth: number }): RequestHandler {
  const parser = platformJsonBody({
    limit: limits.limitBytes,
    maxDepth: limits.maxDepth,
    onRefused: (limit) => limitRejections.inc({ service: 'gateway', limit }),
  });
  return (req, res, next) => {
    parser(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (Array.isArray(req.body)) {
        limitRejections.inc({ service: 'gateway', limit: 'batching' });
        return sendGraphQLError(
          res,
          400,
          ErrorCode.OPERATION_LIMIT_EXCEEDED,
          'Batched requests are not accepted; send one operation per request.',
          req.requestId,
          {
            limit: 'batching',
          },
        );
      }
      next();
    });
  };
}

/** TRUST_PROXY as express takes it: a hop count, true/false, or names and CIDRs. */
export function trustProxySetting(value: string): string | number | boolean {
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}
