import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors.ts';

/**
 * A call that left the system and failed. It is a GraphQLError carrying UPSTREAM_UNAVAILABLE,
 * so a resolver can let it through and the client gets the right code; the client-facing
 * message stays generic while `detail`, `status` and `cause` keep the specifics for the logs.
 */
export class UpstreamError extends GraphQLError {
  readonly upstream: string;
  readonly retryable: boolean;
  readonly status?: number;
  /** The upstream's own error code (e.g. Amadeus 38192), when it sent one. */
  readonly upstreamCode?: string;
  /** Set from a Retry-After header or equivalent, honoured by the retry backoff. */
  readonly retryAfterMs?: number;
  readonly detail: string;

  constructor(options: {
    upstream: string;
    detail: string;
    retryable: boolean;
    status?: number;
    upstreamCode?: string;
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super(`${options.upstream} is unavailable right now; try again shortly.`, {
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, upstream: options.upstream },
      originalError: options.cause instanceof Error ? options.cause : undefined,
    });
    this.name = 'UpstreamError';
    this.upstream = options.upstream;
    this.retryable = options.retryable;
    this.status = options.status;
    this.upstreamCode = options.upstreamCode;
    this.retryAfterMs = options.retryAfterMs;
    this.detail = options.detail;
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** The breaker is open (or the bulkhead is full): the call was not even attempted. */
export class UpstreamUnavailableError extends UpstreamError {
  readonly reason: 'breaker-open' | 'bulkhead-full';

  constructor(upstream: string, reason: 'breaker-open' | 'bulkhead-full', cause?: unknown) {
    super({
      upstream,
      detail: reason === 'breaker-open' ? 'circuit breaker is open' : 'too many calls in flight',
      retryable: false,
      cause,
    });
    this.name = 'UpstreamUnavailableError';
    this.reason = reason;
  }
}

const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** fetch rejects with TypeError('fetch failed') whose cause holds the socket error code. */
export function isNetworkError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && networkErrorCodes.has(code)) return true;
    if (current instanceof TypeError && current.message === 'fetch failed') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Retryable: transient HTTP statuses (408, 425, 429, 5xx) and network failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

export function defaultIsRetryable(error: unknown): boolean {
  if (error instanceof UpstreamError) return error.retryable;
  return isNetworkError(error);
}
