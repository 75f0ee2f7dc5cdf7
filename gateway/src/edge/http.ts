import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import helmet from 'helmet';
import cors from 'cors';
import Negotiator from 'negotiator';
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
import type { GatewayContext } from '../signed-data-source.ts';

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

/**
 * Codes of GraphQL request errors: the request was a well-formed GraphQL-over-HTTP request and
 * GraphQL itself refused the document (parse, validation, the edge's operation limits, variable
 * coercion, choosing the operation). A malformed body, a missing query, a bad persisted-query
 * extension (BAD_REQUEST), credentials, scopes and rates keep their 4xx under any media type.
 */
const graphqlRequestErrorCodes = new Set<unknown>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.OPERATION_LIMIT_EXCEEDED,
  'OPERATION_RESOLUTION_FAILURE',
]);

// The media types Apollo Server chooses between for a single result, in its order, so the
// negotiation here picks what Apollo Server will answer with.
const singleResultMediaTypes = [
  'application/json; charset=utf-8',
  'application/graphql-response+json; charset=utf-8',
  'application/json; callbackSpec=1.0; charset=utf-8',
];

/** Whether the answer goes out as `application/json` (also when `accept` is missing or `*\/*`). */
export function answersPlainJson(accept: string | undefined | null) {
  if (!accept) return true;
  const preferred = new Negotiator({ headers: { accept } }).mediaType(singleResultMediaTypes);
  return preferred !== undefined && preferred.startsWith('application/json');
}

/**
 * GraphQL over HTTP: under `application/json` a well-formed request answers 200 whatever
 * GraphQL errors it produced, since a legacy client cannot tell a proxy's 400 from GraphQL's;
 * under `application/graphql-response+json` request errors keep their 400 (that media type
 * says the body is GraphQL's). Apollo Server answers 400 under both, which graphql-http's audit
 * flags. The errors stay as they are: coded, with the request id.
 */
export function graphqlOverHttpStatusPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ request, response }) {
          // Without request.http the operation came from inside (the analytics endpoint's
          // executeOperation), which answers by REST rules: a bad parameter is a 400 there.
          if (!request.http || response.http.status !== 400 || response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          if (!errors?.length || data !== undefined) return;
          if (!errors.every((error) => graphqlRequestErrorCodes.has(error.extensions?.code))) return;
          if (answersPlainJson(request.http.headers.get('accept'))) response.http.status = 200;
        },
      };
    },
  };
}
