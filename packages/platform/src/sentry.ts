import * as Sentry from '@sentry/node';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import { currentRequestContext } from './request-context.ts';

/**
 * Error reports to Sentry: only what is our bug (the "unexpected error" path of
 * createErrorFormatter, the HTTP error handler and a context that could not be built), never a
 * client's mistake, a missing entity, a limit or an outage (those are counted in metrics). Each
 * report says where to look (service, request id, trace id, operation, user id) and carries
 * nothing a person could be identified or impersonated with: no e-mail, no token, no header, no
 * body. Tested against a local envelope receiver (tests/e2e/sentry.test.ts).
 */
let initialised = false;

/** Headers, cookies, query strings and bodies: never sent (they carry tokens and personal data). */
const emailPattern = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const bearerPattern = /\b(Bearer\s+)[\w-]+\.[\w-]+\.[\w-]+/gi;
const jwtPattern = /\beyJ[\w-]+\.[\w-]+\.[\w-]+/g;

/** A message or value with e-mail addresses and tokens replaced. */
export function scrubText(text: string): string {
  return text
    .replace(emailPattern, '[email]')
    .replace(bearerPattern, '$1[token]')
    .replace(jwtPattern, '[token]');
}

/**
 * The event as it may leave: the request part reduced to method and path, the user to its id,
 * every message and exception value scrubbed, no breadcrumbs (they repeat URLs and log lines).
 */
export function scrubEvent<E extends Sentry.ErrorEvent>(event: E): E {
  if (event.request) {
    const url = event.request.url ? event.request.url.split('?')[0] : undefined;
    event.request = { method: event.request.method, ...(url ? { url } : {}) };
  }
  if (event.user) event.user = event.user.id ? { id: event.user.id } : undefined;
  if (event.message) event.message = scrubText(event.message);
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubText(exception.value);
  }
  if (event.extra) {
    for (const [key, value] of Object.entries(event.extra)) {
      if (typeof value === 'string') event.extra[key] = scrubText(value);
    }
  }
  delete event.breadcrumbs;
  return event;
}

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
    // Traces are OpenTelemetry's (OTEL_EXPORTER_OTLP_ENDPOINT), set up by the platform: Sentry
    // must not install a second provider. Errors still carry the active trace id (below).
    skipOpenTelemetrySetup: true,
    // Never ship request bodies, headers, cookies or the client's address.
    sendDefaultPii: false,
    // Breadcrumbs repeat log lines and URLs, which may hold e-mail addresses or tokens.
    maxBreadcrumbs: 0,
    integrations: (defaults) =>
      defaults.filter(
        (integration) => !['Console', 'Http', 'NodeFetch', 'RequestData'].includes(integration.name),
      ),
    beforeSend: (event) => scrubEvent(event),
  });
  initialised = true;
}

/** The trace this request belongs to: the active span's, else the incoming `traceparent`'s. */
function traceIdOfThisRequest(traceparent: string | undefined): string | undefined {
  const spanTraceId = trace.getActiveSpan()?.spanContext().traceId;
  if (spanTraceId && spanTraceId !== '00000000000000000000000000000000') return spanTraceId;
  const fromHeader = traceparent?.split('-')[1];
  return fromHeader && /^[0-9a-f]{32}$/.test(fromHeader) ? fromHeader : undefined;
}

/**
 * Reports an unexpected error once, tagged with what the request context knows: request id,
 * trace id, operation name and the caller's user id (or API key id). Nothing else of the caller.
 */
export function reportError(error: unknown, context: { service?: string; requestId?: string } = {}) {
  if (!initialised) return;
  const request = currentRequestContext();
  Sentry.withScope((scope) => {
    if (context.service) scope.setTag('service', context.service);
    const requestId = context.requestId ?? request?.requestId;
    if (requestId) scope.setTag('request_id', requestId);
    const traceId = traceIdOfThisRequest(request?.traceparent);
    if (traceId) scope.setTag('trace_id', traceId);
    if (request?.operationName) scope.setTag('operation', request.operationName);
    const identity = request?.identity;
    if (identity?.user) scope.setUser({ id: identity.user.id });
    else if (identity?.apiKey) scope.setTag('api_key_id', identity.apiKey.id);
    Sentry.captureException(error);
  });
}

/**
 * Puts the name of the operation that runs into the request context, so a report made while it
 * runs (or while its errors are formatted) can say which one failed. Free when Sentry is off.
 */
export function operationNameForReportsPlugin(): ApolloServerPlugin<any> {
  const hooks: GraphQLRequestListener<any> = {
    async didResolveOperation({ operation }) {
      const request = currentRequestContext();
      if (request && operation?.name) request.operationName = operation.name.value;
    },
  };
  return {
    async requestDidStart() {
      return initialised ? hooks : undefined;
    },
  };
}

export async function flushSentry(timeoutMs = 2_000) {
  if (initialised) await Sentry.flush(timeoutMs);
}
