import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { currentRequestContext } from './request-context.ts';

/** The error codes of the API contract (docs/architecture.md, Error codes). Clients branch on these. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  RATE_LIMITED: 'RATE_LIMITED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  OPERATION_LIMIT_EXCEEDED: 'OPERATION_LIMIT_EXCEEDED',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_ALLOWED: 'PERSISTED_QUERY_NOT_ALLOWED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const publicCodes = new Set<string>([
  ...Object.values(ErrorCode),
  // Codes Apollo Server itself produces for malformed requests; safe to pass through.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

export function codedError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const unauthenticated = (message = 'You must be signed in to do this.') =>
  codedError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You are not allowed to do this.') =>
  codedError(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string, id?: string) =>
  codedError(ErrorCode.NOT_FOUND, id ? `${what} ${id} was not found.` : `${what} was not found.`);
export const badUserInput = (message: string, field?: string[]) =>
  codedError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});

/** A failure the client caused and can fix; returned as data in mutation payloads. */
export interface UserError {
  field: string[] | null;
  message: string;
  code: string;
}

export const userError = (field: string[] | null, message: string, code = 'INVALID'): UserError => ({
  field,
  message,
  code,
});

// SQLSTATE class 08 (connection exception) and the server going away or not taking
// connections yet (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now).
const unavailableSqlStates = /^(08...|57P0[123]|53300)$/;
const unavailableNetworkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
// node-postgres reports a lost or timed-out connection with these messages and no code (the
// last two from the rollback of a transaction whose connection died, masking the first error).
const unavailableMessages =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)$/;

/**
 * True when `error` says the database (or another store) cannot be reached right now: not the
 * client's fault nor a bug of ours, and worth retrying. Looks through `cause` and the errors of
 * an AggregateError (a connection refused on every address of a host).
 */
export function isDependencyUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (unavailableSqlStates.test(code) || unavailableNetworkCodes.has(code))) {
    return true;
  }
  if (unavailableMessages.test(error.message)) return true;
  if (
    error instanceof AggregateError &&
    error.errors.some((inner) => isDependencyUnavailable(inner, depth + 1))
  )
    return true;
  return isDependencyUnavailable(error.cause, depth + 1);
}

function isUncodedClientError(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.extensions?.code !== undefined) return false;
  const status = (error.extensions?.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * formatError for every Apollo Server in the system: known codes pass through with their
 * message; anything else becomes INTERNAL_SERVER_ERROR with a generic message, so stack traces,
 * SQL and upstream details never reach a client. The request id rides on every error.
 */
export function createErrorFormatter(options: {
  onInternalError?: (error: unknown) => void;
  requestId?: () => string | undefined;
}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    // An error raised before the request context exists may carry the id itself.
    const carried = original instanceof GraphQLError ? original.extensions?.requestId : undefined;
    const requestId =
      options.requestId?.() ??
      currentRequestContext()?.requestId ??
      (typeof carried === 'string' ? carried : undefined);
    let code = (formatted.extensions?.code as string | undefined) ?? 'INTERNAL_SERVER_ERROR';
    // A literal a scalar refused (`startDate: "2027-13-45"` written in the query) surfaces as a
    // validation failure wrapping the scalar's own BAD_USER_INPUT: report it as bad input.
    const cause = original instanceof GraphQLError ? original.originalError : undefined;
    if (
      code === 'GRAPHQL_VALIDATION_FAILED' &&
      cause instanceof GraphQLError &&
      cause.extensions?.code === ErrorCode.BAD_USER_INPUT
    ) {
      code = ErrorCode.BAD_USER_INPUT;
    }
    // Apollo Server refuses some malformed requests (a persisted query whose hash does not match
    // its query, an unsupported persisted query version) with a 4xx status and no code: the
    // client's mistake, so it must not take the unexpected-error path (an error log, a report).
    if (code === ErrorCode.INTERNAL_SERVER_ERROR && isUncodedClientError(original)) code = 'BAD_REQUEST';
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    if (publicCodes.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      return {
        ...formatted,
        extensions: { ...extensions, code, ...(requestId ? { requestId } : {}) },
      };
    }
    // A database that is down or restarting: the client may retry, and nothing is reported as
    // a bug (readiness already says the database is down).
    if (isDependencyUnavailable(original)) {
      return {
        message: 'A service this request needs is unavailable right now; try again shortly.',
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, ...(requestId ? { requestId } : {}) },
      };
    }
    // A GraphQLError thrown with INTERNAL_SERVER_ERROR on purpose keeps its message;
    // anything unexpected is reported and replaced.
    const deliberate =
      original instanceof GraphQLError &&
      code === ErrorCode.INTERNAL_SERVER_ERROR &&
      original.extensions?.code === code;
    // An error that arrives already formatted (a subgraph's answer that the gateway passes on)
    // was logged and reported by the service that raised it: reporting it again would count one
    // fault twice, without its stack.
    const passedOn =
      !(original instanceof Error) &&
      typeof (original as { extensions?: { code?: unknown } } | null)?.extensions?.code === 'string';
    if (!deliberate && !passedOn) options.onInternalError?.(original);
    return {
      message:
        deliberate || passedOn
          ? formatted.message
          : 'Something went wrong on our side. Quote the request id when you report it.',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
    };
  };
}
