import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';
import type { PrettyOptions } from 'pino-pretty';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { currentRequestContext } from './request-context.ts';

export type { Logger } from 'pino';

/** `json`: one JSON object a line (log shippers); `pretty`: colored, aligned lines for people. */
export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

/** Paths pino replaces with [Redacted]: credentials must never reach a log line. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-traveloure-identity"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'authorization',
  'cookie',
  'password',
  'apiKey',
  'api_key',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'clientSecret',
  'client_secret',
  '*.password',
  '*.apiKey',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.clientSecret',
  '*.client_secret',
];

/**
 * LOG_FORMAT when set, else pretty for a person at a terminal and JSON for everything else
 * (containers, pipes, files), so a log collector never has to parse colors.
 */
export function logFormatOf(
  env: Record<string, string | undefined> = process.env,
  isTerminal = Boolean(process.stdout.isTTY),
): LogFormat {
  const chosen = env.LOG_FORMAT?.trim().toLowerCase();
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  return isTerminal ? 'pretty' : 'json';
}

// pino-pretty is loaded only when a pretty log is asked for: JSON processes (production) never
// pay for it. Synchronous require, because createLogger is synchronous.
const requireOptional = createRequire(import.meta.url);

function prettyStream(destination: pino.DestinationStream | undefined) {
  const pretty = requireOptional('pino-pretty') as (options: PrettyOptions) => pino.DestinationStream;
  return pretty({
    // In process, not pino's worker-thread transport: lines appear in order with console output
    // and nothing is lost when the process exits right after a fatal line.
    sync: true,
    destination: destination ?? 1,
    colorize: destination ? false : Boolean(process.stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss.l',
    // The service leads the line (`trip: migration`), so it is left out of the fields after it.
    ignore: 'pid,hostname,service,subgraph',
    messageFormat: '{service}{if subgraph}/{subgraph}{end}: {msg}',
    hideObject: false,
    singleLine: true,
  });
}

export function createLogger(
  service: string,
  options: { level?: string; destination?: pino.DestinationStream; format?: LogFormat } = {},
): Logger {
  const loggerOptions: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[Redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    // Every line written while serving a request carries its id and trace context.
    // With tracing on (OTEL_EXPORTER_OTLP_ENDPOINT), the active span's ids too, so a line leads
    // to its trace and a trace to its lines; off, the API's no-op context has no span.
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      const ids =
        span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : undefined;
      const context = currentRequestContext();
      if (!context) return ids ?? {};
      return context.traceparent
        ? { requestId: context.requestId, traceparent: context.traceparent, ...ids }
        : { requestId: context.requestId, ...ids };
    },
  };
  // A caller that hands its own destination (tests, a file) gets JSON unless it asks otherwise.
  const format = options.format ?? (options.destination ? 'json' : logFormatOf());
  if (format === 'pretty') return pino(loggerOptions, prettyStream(options.destination));
  return options.destination ? pino(loggerOptions, options.destination) : pino(loggerOptions);
}
