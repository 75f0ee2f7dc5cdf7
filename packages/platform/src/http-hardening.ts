import bytes from 'bytes';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { baseConfigShape, type BaseConfig } from './config.ts';
import { ErrorCode } from './errors.ts';
import { sendGraphQLError } from './http.ts';
import { REQUEST_ID_HEADER } from './identity.ts';
import { counter } from './metrics.ts';
import { reportError } from './sentry.ts';

/** What every HTTP server of the system enforces before a request reaches a handler. */
export interface HttpLimits {
  /** All request headers must arrive within this time (slow-header clients). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this time (a false Content-Length). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this time. */
  keepAliveTimeoutMs: number;
  /** Larger request headers are refused with 431. */
  maxHeaderBytes: number;
  /** Deeper JSON request bodies are refused with 400. */
  maxJsonDepth: number;
}

export type HttpLimitsConfig = Pick<
  BaseConfig,
  | 'HTTP_HEADERS_TIMEOUT_MS'
  | 'HTTP_REQUEST_TIMEOUT_MS'
  | 'HTTP_KEEP_ALIVE_TIMEOUT_MS'
  | 'HTTP_MAX_HEADER_BYTES'
  | 'JSON_MAX_DEPTH'
>;

export function httpLimitsOf(config: HttpLimitsConfig): HttpLimits {
  return {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxHeaderBytes: config.HTTP_MAX_HEADER_BYTES,
    maxJsonDepth: config.JSON_MAX_DEPTH,
  };
}

/** The limits with every setting at its default. */
export const defaultHttpLimits: HttpLimits = httpLimitsOf({
  HTTP_HEADERS_TIMEOUT_MS: baseConfigShape.HTTP_HEADERS_TIMEOUT_MS.parse(undefined),
  HTTP_REQUEST_TIMEOUT_MS: baseConfigShape.HTTP_REQUEST_TIMEOUT_MS.parse(undefined),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: baseConfigShape.HTTP_KEEP_ALIVE_TIMEOUT_MS.parse(undefined),
  HTTP_MAX_HEADER_BYTES: baseConfigShape.HTTP_MAX_HEADER_BYTES.parse(undefined),
  JSON_MAX_DEPTH: baseConfigShape.JSON_MAX_DEPTH.parse(undefined),
});

/** Apollo Server's code for a request it cannot read; clients already see it for bad GraphQL requests. */
const BAD_REQUEST = 'BAD_REQUEST';

const clientErrors = counter(
  'http_client_errors_total',
  'Connections answered before any handler ran: headers too large, too slow, or not HTTP',
  ['service', 'reason'] as const,
);

/** After a refusal, how long the client has to read it before the connection is dropped. */
const LINGER_MS = 1_000;

interface Refusal {
  status: number;
  code: string;
  message: string;
  limit?: string;
}

function refusalOf(code: string | undefined, limits: HttpLimits, headersReceived: boolean): Refusal {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: ErrorCode.OPERATION_LIMIT_EXCEEDED,
        message: `Request headers are over the limit of ${limits.maxHeaderBytes} bytes.`,
        limit: 'headerSize',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return headersReceived
        ? {
            status: 408,
            code: ErrorCode.OPERATION_LIMIT_EXCEEDED,
            message: `The request body did not arrive within ${limits.requestTimeoutMs} ms.`,
            limit: 'requestTimeout',
          }
        : {
            status: 408,
            code: ErrorCode.OPERATION_LIMIT_EXCEEDED,
            message: `The request headers did not arrive within ${Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs)} ms.`,
            limit: 'headersTimeout',
          };
    default:
      return { status: 400, code: BAD_REQUEST, message: 'The request is not valid HTTP/1.1.' };
  }
}

/**
 * Node answers what its HTTP parser refuses (headers too large, too slow, not HTTP) itself, with
 * a bare status line and no body. Written here instead as the usual coded JSON error with a
 * request id, onto the socket since no request or response object exists yet. Hand-written: no
 * library covers this event, and its rules are Node's own (see its `socketOnError`).
 */
function answerClientErrors(service: string, limits: HttpLimits, logger: Logger | undefined) {
  const answered = new WeakSet<Duplex>();
  return (error: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser reports again for every chunk that still arrives: the first answer stands.
    if (answered.has(socket)) return;
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // A request whose headers were parsed (its body is what timed out) has a response object;
    // once that has written anything, a second response would corrupt the stream.
    const inFlight = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage;
    if (inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const refusal = refusalOf(error.code, limits, Boolean(inFlight));
    const known = inFlight?.getHeader(REQUEST_ID_HEADER);
    const requestId = typeof known === 'string' ? known : randomUUID();
    clientErrors.inc({ service, reason: refusal.limit ?? 'malformed' });
    logger?.info(
      { requestId, code: error.code, statusCode: refusal.status },
      'request refused by the HTTP parser',
    );
    const body = JSON.stringify({
      errors: [
        {
          message: refusal.message,
          extensions: { code: refusal.code, requestId, ...(refusal.limit ? { limit: refusal.limit } : {}) },
        },
      ],
    });
    answered.add(socket);
    socket.end(
      `HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status]}\r\n` +
        'content-type: application/json; charset=utf-8\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        `${REQUEST_ID_HEADER}: ${requestId}\r\n` +
        'connection: close\r\n\r\n' +
        body,
    );
    // Closing at once while the client is still sending would reset the connection and could
    // lose the answer; a client that never closes its side is dropped after the linger.
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

/**
 * The HTTP server of every service (gateway and subgraphs): header, request and keep-alive
 * timeouts and the header size limit from HttpLimits, and coded JSON answers for requests
 * refused before any handler runs.
 */
export function createHttpServer(
  handler: http.RequestListener,
  options: { service: string; limits: HttpLimits; logger?: Logger },
): http.Server {
  const { limits } = options;
  // Node refuses a headers timeout longer than the request timeout; the request timeout bounds both.
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const server = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks both timeouts every 30 s by default, so a request that stopped sending kept
      // its socket up to 30 s past its deadline. Checking every second at most costs a timer.
      connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.floor(headersTimeout / 2))),
    },
    handler,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.on('clientError', answerClientErrors(options.service, limits, options.logger));
  return server;
}

/**
 * Whether `value` nests objects and arrays deeper than `maxDepth` (`{}` is depth 1). An explicit
 * stack, not recursion: the point is to refuse what would overflow the recursive walks further
 * on (input coercion, the NUL scan, JSON.stringify when the gateway forwards variables).
 */
export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const current = values.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        values.push(child as object);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

export type BodyLimit = 'bodySize' | 'jsonDepth';

/**
 * JSON request bodies for every service: at most `limit` (bytes, or a size such as '2mb'; 413
 * beyond) and `maxDepth` levels deep (400 beyond), and a body that is not JSON gets 400; all as
 * coded JSON errors with the request id. `onRefused` counts the refusals a service reports.
 */
export function jsonBody(options: {
  limit: number | string;
  maxDepth: number;
  onRefused?: (limit: BodyLimit) => void;
}): RequestHandler {
  const parser = express.json({ limit: options.limit });
  const limitBytes = typeof options.limit === 'number' ? options.limit : bytes.parse(options.limit);
  const refuseTooLarge = (req: Request, res: Response) => {
    options.onRefused?.('bodySize');
    sendGraphQLError(
      res,
      413,
      ErrorCode.OPERATION_LIMIT_EXCEEDED,
      `Request body is over the limit of ${limitBytes ?? options.limit} bytes.`,
      req.requestId,
      { limit: 'bodySize' },
    );
  };
  return (req, res, next) => {
    // A declared length over the limit is refused at once: waiting for a body that will never
    // arrive would hold the socket until the request timeout.
    const declared = Number(req.headers['content-length']);
    if (limitBytes !== null && Number.isFinite(declared) && declared > limitBytes) {
      res.setHeader('connection', 'close');
      return refuseTooLarge(req, res);
    }
    parser(req, res, (error?: unknown) => {
      if (error) {
        const { type } = error as { type?: string };
        if (type === 'entity.too.large') return refuseTooLarge(req, res);
        if (type === 'entity.parse.failed') {
          return sendGraphQLError(res, 400, BAD_REQUEST, 'Request body is not valid JSON.', req.requestId);
        }
        return next(error);
      }
      if (jsonDepthExceeds(req.body, options.maxDepth)) {
        options.onRefused?.('jsonDepth');
        return sendGraphQLError(
          res,
          400,
          ErrorCode.OPERATION_LIMIT_EXCEEDED,
          `Request body nests deeper than ${options.maxDepth} levels.`,
          req.requestId,
          { limit: 'jsonDepth' },
        );
      }
      next();
    });
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

/**
 * Last in every service's chain, in place of express's HTML error page: a client's mistake that
 * express or a parser reported keeps its 4xx status as BAD_REQUEST; anything else is our failure,
 * logged and reported, and answers INTERNAL_SERVER_ERROR. Always JSON with the request id, never
 * a stack.
 */
export function jsonErrorHandler(options: { service: string; logger: Logger }): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    // The client went away mid-body (or the request timeout answered it): no one to answer.
    if ((error as { type?: string } | null)?.type === 'request.aborted' || req.socket.destroyed) return;
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return status === 404
        ? notFound(req, res)
        : sendGraphQLError(
            res,
            status,
            BAD_REQUEST,
            `The request was refused (HTTP ${status}).`,
            req.requestId,
          );
    }
    options.logger.error({ err: error, path: req.path }, `unexpected ${options.service} error`);
    reportError(error, { service: options.service, requestId: req.requestId });
    sendGraphQLError(
      res,
      500,
      ErrorCode.INTERNAL_SERVER_ERROR,
      'Something went wrong on our side. Quote the request id when you report it.',
      req.requestId,
    );
  };
}
