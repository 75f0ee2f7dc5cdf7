import { describe, expect, it } from 'vitest';
import { upstreamPoliciesOf } from './settings.ts';

const llm = {
  LLM_TIMEOUT_MS: 20_000,
  LLM_MAX_ATTEMPTS: 2,
  LLM_BREAKER_FAILURE_PERCENT: 50,
  LLM_BREAKER_MIN_CALLS: 5,
  LLM_BREAKER_WINDOW_MS: 60_000,
  LLM_BREAKER_HALF_OPEN_MS: 30_000,
  LLM_MAX_CONCURRENT: 4,
  LLM_MAX_QUEUE: 16,
  // Another upstream's settings in the same config are not read.
  AMADEUS_TIMEOUT_MS: 1,
};

describe('upstreamPoliciesOf', () => {
  it("reads an upstream's settings by its prefix, the failure percent as a fraction", () => {
    expect(upstreamPoliciesOf('LLM', llm, { baseDelayMs: 250, maxDelayMs: 2_000 })).toEqual({
      timeoutMs: 20_000,
      retry: { maxAttempts: 2, baseDelayMs: 250, maxDelayMs: 2_000 },
      breaker: { failureRateThreshold: 0.5, minimumCalls: 5, windowMs: 60_000, halfOpenAfterMs: 30_000 },
      bulkhead: { maxConcurrent: 4, maxQueue: 16 },
    });
  });

  it('takes the backoff from the _RETRY_BASE_MS and _RETRY_MAX_MS settings when the service has them', () => {
    const config = { ...llm, LLM_RETRY_BASE_MS: 200, LLM_RETRY_MAX_MS: 5_000 };
    expect(upstreamPoliciesOf('LLM', config).retry).toEqual({
      maxAttempts: 2,
      baseDelayMs: 200,
      maxDelayMs: 5_000,
    });
  });
});
