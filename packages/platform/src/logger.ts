import { pino, type Logger, type LoggerOptions } from 'pino';
import { currentRequestContext } from './request-context.ts';

export type { Logger } from 'pino';

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

export function createLogger(
  service: string,
  options: { level?: string; destination?: pino.DestinationStream } = {},
): Logger {
  const loggerOptions: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[Redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    // Every line written while serving a request carries its id and trace context.
    mixin() {
      const context = currentRequestContext();
      if (!context) return {};
      return context.traceparent
        ? { requestId: context.requestId, traceparent: context.traceparent }
        : { requestId: context.requestId };
    },
  };
  return options.destination ? pino(loggerOptions, options.destination) : pino(loggerOptions);
}
