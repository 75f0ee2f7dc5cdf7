import type { UpstreamOptions } from './upstream.ts';

/** An upstream's settings, named by its prefix: `LLM_TIMEOUT_MS`, `AMADEUS_MAX_CONCURRENT`, ... */
export type UpstreamSettings<P extends string> = Record<
  | `${P}_TIMEOUT_MS`
  | `${P}_MAX_ATTEMPTS`
  | `${P}_BREAKER_FAILURE_PERCENT`
  | `${P}_BREAKER_MIN_CALLS`
  | `${P}_BREAKER_WINDOW_MS`
  | `${P}_BREAKER_HALF_OPEN_MS`
  | `${P}_MAX_CONCURRENT`
  | `${P}_MAX_QUEUE`,
  number
>;

/** The backoff between retries when it is set, as `${P}_RETRY_BASE_MS` and `${P}_RETRY_MAX_MS`. */
export type RetryDelaySettings<P extends string> = Record<`${P}_RETRY_BASE_MS` | `${P}_RETRY_MAX_MS`, number>;

export interface RetryDelays {
  baseDelayMs: number;
  maxDelayMs: number;
}

export type UpstreamPolicies = Required<
  Pick<UpstreamOptions, 'timeoutMs' | 'retry' | 'breaker' | 'bulkhead'>
>;

/**
 * The timeout, retry, breaker and bulkhead of the upstream whose settings start with `prefix`,
 * for createUpstream. The backoff comes from its `_RETRY_BASE_MS` / `_RETRY_MAX_MS` settings, or
 * is fixed by the service that has none.
 */
export function upstreamPoliciesOf<P extends string>(
  prefix: P,
  config: UpstreamSettings<P> & RetryDelaySettings<P>,
): UpstreamPolicies;
export function upstreamPoliciesOf<P extends string>(
  prefix: P,
  config: UpstreamSettings<P>,
  retryDelays: RetryDelays,
): UpstreamPolicies;
export function upstreamPoliciesOf<P extends string>(
  prefix: P,
  config: UpstreamSettings<P> & Partial<RetryDelaySettings<P>>,
  retryDelays?: RetryDelays,
): UpstreamPolicies {
  const setting = (name: string) => (config as Record<string, number>)[`${prefix}_${name}`]!;
  return {
    timeoutMs: setting('TIMEOUT_MS'),
    retry: {
      maxAttempts: setting('MAX_ATTEMPTS'),
      baseDelayMs: retryDelays?.baseDelayMs ?? setting('RETRY_BASE_MS'),
      maxDelayMs: retryDelays?.maxDelayMs ?? setting('RETRY_MAX_MS'),
    },
    breaker: {
      failureRateThreshold: setting('BREAKER_FAILURE_PERCENT') / 100,
      minimumCalls: setting('BREAKER_MIN_CALLS'),
      windowMs: setting('BREAKER_WINDOW_MS'),
      halfOpenAfterMs: setting('BREAKER_HALF_OPEN_MS'),
    },
    bulkhead: { maxConcurrent: setting('MAX_CONCURRENT'), maxQueue: setting('MAX_QUEUE') },
  };
}
