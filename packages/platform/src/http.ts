import express, { type Request, type Response, type NextFunction } from 'express';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { metricsRegistry, httpRequestDuration, type MetricsScope } from './metrics.ts';
import type { BaseConfig } from './config.ts';
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

/** The route label of every request no route template matched (scans, typos, static files). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Names the requests under a mount (`app.use('/graphql', mountLabel('/graphql'), ...)`) for the
 * route label. Express records the template of a matched route, not of a mount, and
 * req.baseUrl is the caller's own spelling (`/GraphQL`, `/graphql/`), so it cannot be a label.
 */
export function mountLabel(template: string) {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.locals.metricsMount = template;
    next();
  };
}

/**
 * A label from our own route templates only, never from the URL: anonymous callers can send any
 * number of distinct paths, and each distinct label value is a new series kept for the life of
 * the process.
 */
export function routeLabelOf(req: Request, res: Response): string {
  const mount = res.locals.metricsMount as string | undefined;
  const template = typeof req.route?.path === 'string' ? (req.route.path as string) : undefined;
  if (mount !== undefined) return template && template !== '/' ? `${mount}${template}` : mount;
  // A route of a router mounted without a label: its template alone would mislead.
  if (template !== undefined && req.baseUrl === '') return template;
  return UNMATCHED_ROUTE;
}

/** Records http_request_duration_seconds and writes one access-log line per request. */
export function accessLogMiddleware(service: string, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      httpRequestDuration.observe(
        { service, method: req.method, route: routeLabelOf(req, res), status_code: String(res.statusCode) },
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

/** Prometheus's conventional exporter port: where production serves /metrics (METRICS_PORT). */
export const DEFAULT_PRODUCTION_METRICS_PORT = 9464;

/**
 * The port of the metrics listener, or undefined to serve /metrics on the service's own port.
 * Production never does the latter: that port is the public one (the gateway's faces the
 * internet, subgraphs listen on every interface), and /metrics tells anyone about our traffic.
 */
export function metricsPortOf(config: Pick<BaseConfig, 'NODE_ENV' | 'METRICS_PORT'>): number | undefined {
  return (
    config.METRICS_PORT ?? (config.NODE_ENV === 'production' ? DEFAULT_PRODUCTION_METRICS_PORT : undefined)
  );
}

async function sendMetrics(_req: Request, res: Response, scope?: MetricsScope) {
  res.setHeader('content-type', metricsRegistry.contentType);
  res.send(scope ? await scope.text() : await metricsRegistry.metrics());
}

/**
 * /health (liveness), /health/ready (dependencies) and, unless the process serves it on its own
 * metrics port, /metrics (Prometheus). `metrics` may be decided later (when the server listens).
 * With a `scope` the port answers only its service's series (metricsScope), else every series.
 */
export function operationalRoutes(
  health: Health,
  options: { metrics?: boolean | (() => boolean); scope?: MetricsScope } = {},
) {
  const metricsHere = options.metrics ?? true;
  const router = express.Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', timestamp: new Date().toISOString() });
  });
  router.get('/health/ready', async (_req, res) => {
    const report = await health.readiness();
    res.status(report.status === 'unavailable' ? 503 : 200).json(report);
  });
  router.get('/metrics', (req, res, next) => {
    if (typeof metricsHere === 'function' ? !metricsHere() : !metricsHere) return next();
    void sendMetrics(req, res, options.scope).catch(next);
  });
  return router;
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * One metrics listener per process and address, shared by every service the process hosts
 * (there is one registry per process): the last to close it stops it.
 */
const metricsServers = new Map<string, Promise<{ server: http.Server; port: number; users: number }>>();

export async function serveMetrics(port: number, host: string): Promise<MetricsServer> {
  const key = `${host}:${port}`;
  let shared = metricsServers.get(key);
  if (!shared) {
    const app = express();
    app.disable('x-powered-by');
    app.get('/metrics', (req, res, next) => void sendMetrics(req, res).catch(next));
    app.use((_req, res) => {
      res.status(404).json({ error: 'not found' });
    });
    const server = http.createServer(app);
    shared = new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        resolve({ server, port: (server.address() as AddressInfo).port, users: 0 });
      });
    });
    metricsServers.set(key, shared);
    shared.catch(() => metricsServers.delete(key));
  }
  const entry = await shared;
  entry.users += 1;
  let closed = false;
  return {
    url: `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${entry.port}/metrics`,
    port: entry.port,
    close: async () => {
      if (closed) return;
      closed = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      metricsServers.delete(key);
      const stopped = new Promise<void>((resolve) => entry.server.close(() => resolve()));
      entry.server.closeIdleConnections();
      await stopped;
    },
  };
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
