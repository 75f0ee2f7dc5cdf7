import express, {
  type ErrorRequestHandler,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import helmet from 'helmet';
import cors from 'cors';
import {
  counter,
  ErrorCode,
  reportError,
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
 * JSON bodies up to `limitBytes`; larger ones get 413 before they are read in full. A JSON
 * array (an HTTP batch) is refused: one operation per request keeps limits meaningful.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const parser = express.json({ limit: limitBytes });
  const tooLarge = (req: Request, res: Response) => {
    limitRejections.inc({ service: 'gateway', limit: 'bodySize' });
    return sendGraphQLError(
      res,
      413,
      ErrorCode.OPERATION_LIMIT_EXCEEDED,
      `Request body is over the limit of ${limitBytes} bytes.`,
      req.requestId,
      {
        limit: 'bodySize',
      },
    );
  };
  return (req, res, next) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limitBytes) return tooLarge(req, res);
    parser(req, res, (error?: unknown) => {
      if (error) {
        const type = (error as { type?: string }).type;
        if (type === 'entity.too.large') return tooLarge(req, res);
        if (type === 'entity.parse.failed') {
          return sendGraphQLError(res, 400, 'BAD_REQUEST', 'Request body is not valid JSON.', req.requestId);
        }
        return next(error);
      }
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

/**
 * Last in the chain: a failure outside GraphQL execution (the key store unreachable, a broken
 * stream) answers like any other internal error, as JSON with the request id and no detail.
 */
export function edgeErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    // A client's mistake reported by express or a static handler (a missing explorer asset, a
    // path that climbs out of it) keeps its 4xx status: it is not our failure.
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return status === 404
        ? notFound(req, res)
        : sendGraphQLError(
            res,
            status,
            'BAD_REQUEST',
            `The request was refused (HTTP ${status}).`,
            req.requestId,
          );
    }
    logger.error({ err: error, path: req.path }, 'unexpected gateway error');
    reportError(error, { service: 'gateway', requestId: req.requestId });
    sendGraphQLError(
      res,
      500,
      ErrorCode.INTERNAL_SERVER_ERROR,
      'Something went wrong on our side. Quote the request id when you report it.',
      req.requestId,
    );
  };
}

function notFound(req: Request, res: Response) {
  sendGraphQLError(
    res,
    404,
    ErrorCode.NOT_FOUND,
    `Nothing at ${req.method} ${req.path}; the API is POST /graphql.`,
    req.requestId,
  );
}

/** After every route: an unknown path answers JSON with a code and the request id, not HTML. */
export function notFoundHandler(): RequestHandler {
  return (req, res) => notFound(req, res);
}

/** TRUST_PROXY as express takes it: a hop count, true/false, or names and CIDRs. */
export function trustProxySetting(value: string): string | number | boolean {
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}
