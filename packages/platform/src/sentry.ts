import * as Sentry from '@sentry/node';
import { trace } from '@opentelemetry/api';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode, isDependencyUnavailable } from './errors.ts';
import { currentRequestContext } from './request-context.ts';

let initialised = false;

/**
 * Codes of failures the client caused or that are policy, not bugs: never reported. Bad input,
 * a missing record, a missing or refused identity, a rate or operation limit, a persisted query
 * the client got wrong, a document that does not parse or validate, a malformed body.
 * UPSTREAM_UNAVAILABLE is an outage: metrics and alerts see it, it is not a bug to report.
 */
const expectedCodes = new Set<string>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.RATE_LIMITED,
  ErrorCode.OPERATION_LIMIT_EXCEEDED,
  ErrorCode.UPSTREAM_UNAVAILABLE,
  ErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ErrorCode.PERSISTED_QUERY_NOT_ALLOWED,
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** True for an error that is the client's doing or an outage, which reportError drops. */
export function isExpectedError(error: unknown): boolean {
  if (error instanceof GraphQLError) {
    const code = error.extensions?.code;
    if (typeof code === 'string' && expectedCodes.has(code)) return true;
  }
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  // body-parser and express report a malformed or oversized body with a 4xx status.
  return typeof status === 'number' && status >= 400 && status < 500;
}

// Anything shaped like an e-mail address, wherever it appears in an event.
const emailPattern = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
// Bearer tokens, JWTs and API keys written into a message (e.g. an upstream's error text).
const tokenPatterns = [/\bBearer\s+[\w.~+/-]+=*/gi, /\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, /\btrv_[\w-]+/g];
// Query string parameters whose values are credentials.
const secretQueryParameter = /([?&](?:token|access_token|api_key|apikey|key|code|signature)=)[^&#\s]*/gi;

/** The text with e-mail addresses, tokens and credential query parameters replaced. */
export function scrubText(text: string): string {
  let scrubbed = text.replace(emailPattern, '[email]').replace(secretQueryParameter, '$1[redacted]');
  for (const pattern of tokenPatterns) scrubbed = scrubbed.replace(pattern, '[token]');
  return scrubbed;
}

function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubValue(item, depth + 1)]));
}

/**
 * beforeSend: no request data at all (bodies, headers with tokens, cookies, query strings), no
 * user beyond the id, and e-mail addresses and tokens scrubbed from whatever text remains.
 */
export function scrubEvent<E extends Sentry.Event>(event: E): E {
  delete event.request;
  if (event.user) event.user = event.user.id === undefined ? undefined : { id: event.user.id };
  return scrubValue(event) as E;
}

/** Breadcrumbs from console, http or logs could carry bodies and tokens: only our own pass. */
function scrubBreadcrumb(breadcrumb: Sentry.Breadcrumb): Sentry.Breadcrumb | null {
  if (breadcrumb.category !== 'traveloure') return null;
  return scrubValue(breadcrumb) as Sentry.Breadcrumb;
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
    // Tracing is the OpenTelemetry SDK's job; Sentry only reads the active trace id.
    skipOpenTelemetrySetup: true,
    // Never ship request bodies, headers, cookies or IP addresses.
    sendDefaultPii: false,
    // The defaults include console and http breadcrumbs, request data and local variables,
    // each of which can carry a body or a token: only integrations that read our own code.
    // Not dedupe either: it drops an event identical to the previous one, so a bug that fails
    // every request would show once, without the request ids after the first; reportError is
    // already called once per failing path.
    defaultIntegrations: false,
    integrations: [
      Sentry.eventFiltersIntegration(),
      Sentry.functionToStringIntegration(),
      Sentry.linkedErrorsIntegration(),
      Sentry.nodeContextIntegration(),
      Sentry.contextLinesIntegration(),
      Sentry.onUncaughtExceptionIntegration(),
      Sentry.onUnhandledRejectionIntegration(),
    ],
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb),
  });
  initialised = true;
}

export interface ErrorReportContext {
  service?: string;
  requestId?: string;
  operationName?: string;
  userId?: string;
  /** A background job's queue and name, for failures outside a request. */
  job?: string;
  [key: string]: unknown;
}

/**
 * Reports an unexpected error once, tagged with what identifies the request: its id, the
 * active trace id, the operation name and the user id (never the e-mail). Expected errors
 * (the client's mistakes, limits, outages) are dropped here, whichever path reports them.
 */
export function reportError(error: unknown, context: ErrorReportContext = {}) {
  if (!initialised || isExpectedError(error)) return;
  const request = currentRequestContext();
  const requestId = context.requestId ?? request?.requestId;
  // Behind the gateway a subgraph sees the query plan's name for its part of the operation
  // (`MyTrips__trip__0`): the client's name is what the report should show.
  const operationName = (context.operationName ?? request?.operationName)?.replace(/__\w+__\d+$/, '');
  const userId = context.userId ?? request?.identity?.user?.id;
  const traceId = trace.getActiveSpan()?.spanContext().traceId ?? traceIdOf(request?.traceparent);
  Sentry.withScope((scope) => {
    if (context.service) scope.setTag('service', context.service);
    if (requestId) scope.setTag('request_id', requestId);
    if (traceId) scope.setTag('trace_id', traceId);
    if (operationName) scope.setTag('operation', operationName);
    if (context.job) scope.setTag('job', context.job);
    if (userId) scope.setUser({ id: userId });
    Sentry.captureException(error);
  });
}

/** The trace id of a W3C traceparent header, when the caller sent one and no span is active. */
function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = traceparent?.match(/^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/);
  return match && match[1] !== '0'.repeat(32) ? match[1] : undefined;
}

/**
 * Records the resolved operation's name on the request context, for reportError's tag. With no
 * DSN it adds nothing to a request: Sentry is configured before any server starts.
 */
export function operationNameOnRequestContextPlugin(): ApolloServerPlugin<any> {
  const hooks: GraphQLRequestListener<any> = {
    async didResolveOperation({ operationName }) {
      const request = currentRequestContext();
      if (request && operationName) request.operationName = operationName;
    },
  };
  return {
    async requestDidStart() {
      return initialised ? hooks : undefined;
    },
  };
}

/**
 * A background job that failed for good (its last attempt, or a permanent failure), reported
 * once; a retry still to come is not a report. An unreachable database or Redis is an outage,
 * seen by metrics and readiness, not a bug.
 */
export function reportJobFailure(error: unknown, job: { queue: string; name: string; final: boolean }) {
  if (!job.final || isDependencyUnavailable(error)) return;
  reportError(error, { job: `${job.queue}/${job.name}` });
}

/**
 * A background task (a periodic refresh, a restore on start) that failed, reported once per
 * failure; an unreachable database or Redis is an outage, left to metrics and readiness.
 */
export function reportBackgroundFailure(error: unknown, task: string) {
  if (isDependencyUnavailable(error)) return;
  reportError(error, { job: task });
}

export async function flushSentry(timeoutMs = 2_000) {
  if (initialised) await Sentry.flush(timeoutMs);
}
