import * as Sentry from '@sentry/node';

let initialised = false;

/** Turns on error reporting when a DSN is configured; a no-op otherwise. */
export function initSentry(options: {
  dsn?: string;
  service: string;
  environment: string;
  release?: string;
}) {
  if (!options.dsn || initialised) return;
  Sentry.init({
    dsn: options.dsn,
    environment: options.environment,
    release: options.release,
    serverName: options.service,
    tracesSampleRate: 0,
    // Never ship request bodies or headers: they can carry tokens and personal data.
    sendDefaultPii: false,
  });
  initialised = true;
}

export function reportError(error: unknown, context: Record<string, unknown> = {}) {
  if (!initialised) return;
  Sentry.withScope((scope) => {
    for (const [key, value] of Object.entries(context)) scope.setExtra(key, value);
    if (typeof context.requestId === 'string') scope.setTag('request_id', context.requestId);
    Sentry.captureException(error);
  });
}

export async function flushSentry(timeoutMs = 2_000) {
  if (initialised) await Sentry.flush(timeoutMs);
}
