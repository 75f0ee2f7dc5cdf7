import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { currentRequestContext } from './request-context.ts';

/** The error codes of the API contract (DESIGN.md). Clients branch on these. */
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
    const requestId = options.requestId?.() ?? currentRequestContext()?.requestId;
    const original = unwrapResolverError(error);
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
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    if (publicCodes.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      return {
        ...formatted,
        extensions: { ...extensions, code, ...(requestId ? { requestId } : {}) },
      };
    }
    // A GraphQLError thrown with INTERNAL_SERVER_ERROR on purpose keeps its message;
    // anything unexpected is reported and replaced.
    const deliberate =
      original instanceof GraphQLError &&
      code === ErrorCode.INTERNAL_SERVER_ERROR &&
      original.extensions?.code === code;
    if (!deliberate) options.onInternalError?.(original);
    return {
      message: deliberate
        ? formatted.message
        : 'Something went wrong on our side. Quote the request id when you report it.',
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...(requestId ? { requestId } : {}) },
    };
  };
}
