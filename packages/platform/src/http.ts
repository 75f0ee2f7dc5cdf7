import express, { type Request, type Response, type NextFunction } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { metricsRegistry, httpRequestDuration } from './metrics.ts';
import type { Health } from './health.ts';
import { REQUEST_ID_HEADER } from './identity.ts';

const requestIdPattern = /^[A-Za-z0-9._:-]{8,128}$/;

/** A caller-supplied request id is kept when it looks sane; otherwise a fresh one is made. */
export function resolveRequestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && requestIdPattern.test(value) ? value : randomUUID();
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
  }
}

export function requestIdMiddleware() {
  return (req: Request, res: Response, next: NextFunction) => {
    req.requestId = resolveRequestId(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, req.requestId);
    next();
  };
}

/** Records http_request_duration_seconds and writes one access-log line per request. */
export function accessLogMiddleware(service: string, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The matched route keeps label cardinality bounded; unknown paths collapse to one label.
      const route = req.route
        ? `${req.baseUrl}${req.route.path}`
        : res.statusCode === 404
          ? 'unmatched'
          : (req.originalUrl.split('?')[0] ?? '/');
      httpRequestDuration.observe(
        { service, method: req.method, route: String(route), status_code: String(res.statusCode) },
        seconds,
      );
      if (req.path.startsWith('/health') || req.path === '/metrics') return;
      logger.info(
        {
          requestId: req.requestId,
          method: req.method,
          path: req.originalUrl.split('?')[0],
          statusCode: res.statusCode,
          durationMs: Math.round(seconds * 1000),
        },
        'request completed',
      );
    });
    next();
  };
}

/** /health (liveness), /health/ready (dependencies) and /metrics (Prometheus). */
export function operationalRoutes(health: Health) {
  const router = express.Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', timestamp: new Date().toISOString() });
  });
  router.get('/health/ready', async (_req, res) => {
    const report = await health.readiness();
    res.status(report.status === 'unavailable' ? 503 : 200).json(report);
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metricsRegistry.contentType);
    res.send(await metricsRegistry.metrics());
  });
  return router;
}

/** A GraphQL-shaped error body for failures outside GraphQL execution (401, 413, 429 ...). */
export function sendGraphQLError(
  res: Response,
  status: number,
  code: string,
  message: string,
  requestId: string,
  extensions: Record<string, unknown> = {},
) {
  res.status(status).json({ errors: [{ message, extensions: { code, requestId, ...extensions } }] });
}
