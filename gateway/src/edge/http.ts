import type { RequestHandler } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import { ErrorCode, jsonBody as platformJsonBody, sendGraphQLError } from '@traveloure/platform';
import { limitRejections } from './operation-limits.ts';

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
