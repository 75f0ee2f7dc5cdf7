import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  DelegateBackoff,
  SamplingBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead as bulkheadPolicy,
  circuitBreaker,
  handleWhen,
  noop,
  retry as retryPolicy,
  timeout as timeoutPolicy,
  wrap,
  type IPolicy,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { Logger } from 'pino';
import type { Health } from '../health.ts';
import { counter, gauge, histogram } from '../metrics.ts';
import { UpstreamError, UpstreamUnavailableError, defaultIsRetryable } from './errors.ts';

export interface UpstreamOptions {
  /** Names the upstream in logs, metrics and readiness (e.g. `amadeus`, `llm`, `smtp`). */
  name: string;
  logger: Logger;
  /** When given, the breaker state shows in /health/ready (degraded, never fatal). */
  health?: Health;
  /** The `service` label of the metrics; defaults to the logger's `service` binding. */
  service?: string;
  /** Each attempt is abandoned (and its signal aborted) after this long. */
  timeoutMs: number;
  /** maxAttempts counts every attempt, the first included (1 = no retry). */
  retry?: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  /**
   * Opens when more than failureRateThreshold (0..1) of the calls in the last windowMs failed,
   * but only once at least minimumCalls were made in that window; after halfOpenAfterMs one
   * trial call decides between closing and opening again.
   */
  breaker?: { failureRateThreshold: number; minimumCalls: number; windowMs: number; halfOpenAfterMs: number };
  bulkhead?: { maxConcurrent: number; maxQueue: number };
  /** Which failures are transient (retried, counted by the breaker). Default: defaultIsRetryable. */
  isRetryable?(error: unknown): boolean;
}

export type UpstreamState = 'closed' | 'open' | 'half-open' | 'isolated';

export interface CallOptions<T> {
  /** Answer instead of failing when the upstream is down (not for non-retryable errors). */
  fallback?: (error: UpstreamError) => T | Promise<T>;
  signal?: AbortSignal;
}

export interface Upstream {
  readonly name: string;
  readonly state: UpstreamState;
  call<T>(fn: (signal: AbortSignal) => Promise<T>, options?: CallOptions<T>): Promise<T>;
}

const stateNames: Record<CircuitState, UpstreamState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

const breakerStateGauge = gauge(
  'upstream_breaker_state',
  'Circuit breaker state per upstream: 0 closed, 1 open, 2 half-open, 3 isolated',
  ['service', 'upstream'],
);
const callsTotal = counter('upstream_calls_total', 'Calls to upstreams by outcome', [
  'service',
  'upstream',
  'outcome',
]);
const retriesTotal = counter('upstream_retries_total', 'Retried upstream attempts', ['service', 'upstream']);
const callDuration = histogram(
  'upstream_call_duration_seconds',
  'Duration of upstream calls, retries included',
  ['service', 'upstream'],
  [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
);

/**
 * The one way out of the system: timeout, retry with exponential backoff and full jitter on
 * transient failures only, a sampling circuit breaker with a minimum call volume, a bulkhead,
 * and an optional per-call fallback, all on cockatiel. Policy order, outermost first:
 * bulkhead -> retry -> breaker -> timeout, so every attempt counts in the breaker and an open
 * breaker stops the retries at once.
 */
export function createUpstream(options: UpstreamOptions): Upstream {
  const { name, logger } = options;
  const service =
    options.service ?? (logger.bindings?.() as { service?: string } | undefined)?.service ?? 'unknown';
  const labels = { service, upstream: name };
  const isRetryable = options.isRetryable ?? defaultIsRetryable;

  /** The failures the breaker counts and the retry repeats: transient ones only. */
  const isTransient = (error: unknown) =>
    error instanceof TaskCancelledError || (error instanceof UpstreamError && error.retryable);

  const policies: IPolicy[] = [];
  if (options.bulkhead) {
    policies.push(bulkheadPolicy(options.bulkhead.maxConcurrent, options.bulkhead.maxQueue));
  }
  if (options.retry && options.retry.maxAttempts > 1) {
    const { baseDelayMs, maxDelayMs } = options.retry;
    const retry = retryPolicy(handleWhen(isTransient), {
      maxAttempts: options.retry.maxAttempts - 1,
      backoff: new DelegateBackoff<IRetryBackoffContext<unknown>>((context) => {
        const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (context.attempt - 1));
        const jittered = Math.random() * ceiling;
        const error = 'error' in context.result ? context.result.error : undefined;
        const retryAfter = error instanceof UpstreamError ? error.retryAfterMs : undefined;
        return retryAfter !== undefined ? Math.min(maxDelayMs, Math.max(jittered, retryAfter)) : jittered;
      }),
    });
    retry.onRetry(({ attempt, delay, ...reason }) => {
      retriesTotal.inc(labels);
      const error = 'error' in reason ? reason.error : undefined;
      logger.debug(
        { upstream: name, attempt, delayMs: Math.round(delay), err: error },
        'retrying upstream call',
      );
    });
    policies.push(retry);
  }
  let breakerPolicy: ReturnType<typeof circuitBreaker> | undefined;
  if (options.breaker) {
    const { failureRateThreshold, minimumCalls, windowMs, halfOpenAfterMs } = options.breaker;
    // SamplingBreaker sizes its window from `duration` the same way; its minimum volume is a
    // rate over that window, so convert minimumCalls to the rate that means "at least N calls".
    const windowCount = Math.max(5, Math.ceil(windowMs / 1000));
    const effectiveWindowMs = Math.round(windowMs / windowCount) * windowCount;
    breakerPolicy = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: halfOpenAfterMs,
      breaker: new SamplingBreaker({
        threshold: Math.min(0.999, Math.max(0.001, failureRateThreshold)),
        duration: windowMs,
        minimumRps: ((Math.max(1, minimumCalls) - 0.5) * 1000) / effectiveWindowMs,
      }),
    });
    breakerStateGauge.set(labels, CircuitState.Closed);
    breakerPolicy.onStateChange((state) => {
      breakerStateGauge.set(labels, state);
      const level = state === CircuitState.Closed ? 'info' : 'warn';
      logger[level](
        { upstream: name, state: stateNames[state] },
        `upstream ${name} breaker ${stateNames[state]}`,
      );
    });
    policies.push(breakerPolicy);
  }
  policies.push(timeoutPolicy(options.timeoutMs, TimeoutStrategy.Aggressive));
  const policy = policies.length > 0 ? wrap(...policies) : noop;

  const upstream: Upstream = {
    name,
    get state() {
      return breakerPolicy ? stateNames[breakerPolicy.state] : 'closed';
    },
    async call<T>(fn: (signal: AbortSignal) => Promise<T>, callOptions: CallOptions<T> = {}) {
      const started = performance.now();
      try {
        const value = await policy.execute(async ({ signal }) => {
          try {
            return await fn(signal);
          } catch (error) {
            // Known failures pass as they are (a 400 mapped to BAD_USER_INPUT stays that);
            // transient raw errors (sockets, DNS) become retryable UpstreamErrors.
            if (error instanceof UpstreamError || !isRetryable(error)) throw error;
            throw new UpstreamError({
              upstream: name,
              detail: error instanceof Error ? error.message : String(error),
              retryable: true,
              cause: error,
            });
          }
          // A signal per call: cockatiel would otherwise hang every call's listeners on one
          // shared never-aborted signal.
        }, callOptions.signal ?? new AbortController().signal);
        callsTotal.inc({ ...labels, outcome: 'success' });
        return value as T;
      } catch (raw) {
        const error = toUpstreamError(name, options.timeoutMs, raw);
        if (!(error instanceof UpstreamError)) {
          callsTotal.inc({ ...labels, outcome: 'error' });
          throw error;
        }
        const rejected = error instanceof UpstreamUnavailableError;
        callsTotal.inc({ ...labels, outcome: rejected ? 'rejected' : 'failure' });
        if (callOptions.fallback) {
          logger.warn({ upstream: name, err: error }, `upstream ${name} failed; using fallback`);
          callsTotal.inc({ ...labels, outcome: 'fallback' });
          return callOptions.fallback(error);
        }
        throw error;
      } finally {
        callDuration.observe(labels, (performance.now() - started) / 1000);
      }
    },
  };

  if (options.health) {
    options.health.register(
      `upstream:${name}`,
      async () => {
        const state = upstream.state;
        return state === 'closed' ? { status: 'up' } : { status: 'degraded', detail: `breaker ${state}` };
      },
      // An open breaker degrades the service (stale answers, fallbacks); it does not take it out.
      { critical: false },
    );
  }
  return upstream;
}

function toUpstreamError(name: string, timeoutMs: number, error: unknown): unknown {
  if (error instanceof UpstreamError) return error;
  if (error instanceof BrokenCircuitError) return new UpstreamUnavailableError(name, 'breaker-open', error);
  if (error instanceof BulkheadRejectedError)
    return new UpstreamUnavailableError(name, 'bulkhead-full', error);
  if (error instanceof TaskCancelledError) {
    return new UpstreamError({
      upstream: name,
      detail: `timed out after ${timeoutMs} ms`,
      retryable: true,
      cause: error,
    });
  }
  return error;
}
