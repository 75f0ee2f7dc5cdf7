import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger.ts';
import { Health } from '../health.ts';
import { metricsRegistry } from '../metrics.ts';
import { badUserInput } from '../errors.ts';
import { createUpstream, type UpstreamOptions } from './upstream.ts';
import { UpstreamError, UpstreamUnavailableError } from './errors.ts';

const logger = createLogger('upstream-test', { level: 'silent' });
const transient = (status = 503) =>
  new UpstreamError({ upstream: 'test', detail: `HTTP ${status}`, retryable: true, status });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let counter = 0;
const uniqueName = (label: string) => `${label}-${++counter}`;
const makeUpstream = (label: string, options: Partial<UpstreamOptions> = {}) =>
  createUpstream({ name: uniqueName(label), logger, timeoutMs: 1_000, ...options });

async function breakerGauge(name: string) {
  const metric = await metricsRegistry.getSingleMetric('upstream_breaker_state')!.get();
  return metric.values.find((value) => value.labels.upstream === name)?.value;
}

describe('createUpstream', () => {
  it('retries transient failures with backoff and succeeds', async () => {
    const upstream = makeUpstream('retry', {
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    });
    let attempts = 0;
    const value = await upstream.call(async () => {
      attempts++;
      if (attempts < 3) throw transient();
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(attempts).toBe(3);
  });

  it('waits random(0, min(max, base * 2^n)) before retry n: exponential, capped, full jitter', async () => {
    const delays: number[] = [];
    const recording = createLogger('upstream-test', {
      level: 'debug',
      destination: {
        write: (line: string) => {
          const { delayMs } = JSON.parse(line) as { delayMs?: number };
          if (delayMs !== undefined) delays.push(delayMs);
        },
      },
    });
    const upstream = createUpstream({
      name: uniqueName('backoff'),
      logger: recording,
      timeoutMs: 1_000,
      retry: { maxAttempts: 6, baseDelayMs: 4, maxDelayMs: 20 },
    });
    const random = vi.spyOn(Math, 'random');
    try {
      random.mockReturnValue(0.5);
      await upstream.call(async () => Promise.reject(transient())).catch(() => undefined);
      // Ceilings 4, 8, 16, then capped at 20: half of each.
      expect(delays.splice(0)).toEqual([2, 4, 8, 10, 10]);
      random.mockReturnValue(0.25);
      await upstream.call(async () => Promise.reject(transient())).catch(() => undefined);
      expect(delays.splice(0)).toEqual([1, 2, 4, 5, 5]);
    } finally {
      random.mockRestore();
    }
  });

  it('gives up after maxAttempts and surfaces an UpstreamError with UPSTREAM_UNAVAILABLE', async () => {
    const upstream = makeUpstream('giveup', {
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
    let attempts = 0;
    const error = await upstream
      .call(async () => {
        attempts++;
        throw transient(502);
      })
      .catch((caught: unknown) => caught);
    expect(attempts).toBe(3);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(502);
    expect((error as UpstreamError).extensions.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('never retries non-retryable failures and passes them through unchanged', async () => {
    const upstream = makeUpstream('noretry', {
      retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 2 },
    });
    let attempts = 0;
    const input = badUserInput('origin must be an IATA code', ['origin']);
    const error = await upstream
      .call(async () => {
        attempts++;
        throw input;
      })
      .catch((caught: unknown) => caught);
    expect(attempts).toBe(1);
    expect(error).toBe(input);
  });

  it('turns network errors into retryable UpstreamErrors', async () => {
    const upstream = makeUpstream('network', {
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    let attempts = 0;
    const error = await upstream
      .call(() => {
        attempts++;
        // What fetch throws when nothing listens on the port.
        return fetch('http://127.0.0.1:1/');
      })
      .catch((caught: unknown) => caught);
    expect(attempts).toBe(2);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).retryable).toBe(true);
  });

  it('times out an attempt and aborts its signal', async () => {
    const upstream = makeUpstream('timeout', { timeoutMs: 30 });
    let aborted = false;
    const error = await upstream
      .call(
        (signal) =>
          new Promise((_, reject) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            });
          }),
      )
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).detail).toMatch(/timed out/);
    expect(aborted).toBe(true);
  });

  it('opens only after the minimum number of calls, then half-opens and closes', async () => {
    const name = uniqueName('breaker');
    const health = new Health('test');
    const upstream = createUpstream({
      name,
      logger,
      health,
      timeoutMs: 1_000,
      breaker: { failureRateThreshold: 0.5, minimumCalls: 5, windowMs: 10_000, halfOpenAfterMs: 100 },
    });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw transient();
    };
    // Four failures: below the minimum volume, the breaker stays closed.
    for (let i = 0; i < 4; i++) await upstream.call(failing).catch(() => undefined);
    expect(upstream.state).toBe('closed');
    expect(await breakerGauge(name)).toBe(0);
    // The fifth failure reaches the minimum with a 100% failure rate: open.
    await upstream.call(failing).catch(() => undefined);
    expect(upstream.state).toBe('open');
    expect(await breakerGauge(name)).toBe(1);
    const report = await health.readiness();
    expect(report.checks[`upstream:${name}`]?.status).toBe('degraded');
    expect(report.status).toBe('degraded');

    // Open: calls are refused without reaching the upstream.
    const before = calls;
    const refused = await upstream.call(failing).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(UpstreamUnavailableError);
    expect((refused as UpstreamUnavailableError).extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(calls).toBe(before);

    // After halfOpenAfterMs one trial call goes through; its success closes the breaker.
    await sleep(150);
    let sawHalfOpen = false;
    const value = await upstream.call(async () => {
      await sleep(5);
      sawHalfOpen = upstream.state === 'half-open';
      return 42;
    });
    expect(value).toBe(42);
    expect(sawHalfOpen).toBe(true);
    expect(upstream.state).toBe('closed');
    expect(await breakerGauge(name)).toBe(0);
    expect((await health.readiness()).checks[`upstream:${name}`]?.status).toBe('up');
  });

  it('logs every breaker state change with the upstream and the state', async () => {
    const lines: { level: string; upstream?: string; state?: string; msg: string }[] = [];
    const recording = createLogger('upstream-test', {
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    });
    const name = uniqueName('logged');
    const upstream = createUpstream({
      name,
      logger: recording,
      timeoutMs: 1_000,
      breaker: { failureRateThreshold: 0.5, minimumCalls: 2, windowMs: 10_000, halfOpenAfterMs: 50 },
    });
    for (let i = 0; i < 2; i++)
      await upstream.call(async () => Promise.reject(transient())).catch(() => undefined);
    await sleep(80);
    await upstream.call(async () => 'ok');
    const changes = lines
      .filter((line) => line.upstream === name && line.state)
      .map((line) => [line.level, line.state]);
    expect(changes).toEqual([
      ['warn', 'open'],
      ['warn', 'half-open'],
      ['info', 'closed'],
    ]);
  });

  it('a failed half-open trial opens the breaker again', async () => {
    const upstream = makeUpstream('reopen', {
      breaker: { failureRateThreshold: 0.5, minimumCalls: 2, windowMs: 10_000, halfOpenAfterMs: 50 },
    });
    for (let i = 0; i < 2; i++)
      await upstream.call(async () => Promise.reject(transient())).catch(() => undefined);
    expect(upstream.state).toBe('open');
    await sleep(80);
    await upstream.call(async () => Promise.reject(transient())).catch(() => undefined);
    expect(upstream.state).toBe('open');
  });

  it('does not count non-retryable failures against the breaker', async () => {
    const upstream = makeUpstream('client-errors', {
      breaker: { failureRateThreshold: 0.5, minimumCalls: 2, windowMs: 10_000, halfOpenAfterMs: 1_000 },
    });
    for (let i = 0; i < 10; i++) {
      await upstream
        .call(async () => Promise.reject(badUserInput('bad date', ['checkIn'])))
        .catch(() => undefined);
    }
    expect(upstream.state).toBe('closed');
  });

  it('stops retrying as soon as the breaker opens', async () => {
    const upstream = makeUpstream('retry-breaker', {
      retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 2 },
      breaker: { failureRateThreshold: 0.5, minimumCalls: 3, windowMs: 10_000, halfOpenAfterMs: 10_000 },
    });
    let attempts = 0;
    const error = await upstream
      .call(async () => {
        attempts++;
        throw transient();
      })
      .catch((caught: unknown) => caught);
    expect(attempts).toBe(3);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
  });

  it('uses the fallback for upstream failures only', async () => {
    const upstream = makeUpstream('fallback');
    const value = await upstream.call(async () => Promise.reject(transient()), {
      fallback: (error) => `fallback after ${error.detail}`,
    });
    expect(value).toBe('fallback after HTTP 503');
    const input = badUserInput('bad', ['x']);
    await expect(upstream.call(async () => Promise.reject(input), { fallback: () => 'no' })).rejects.toBe(
      input,
    );
  });

  it('bulkhead refuses calls beyond its concurrency and queue', async () => {
    const upstream = makeUpstream('bulkhead', {
      bulkhead: { maxConcurrent: 1, maxQueue: 1 },
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = upstream.call(() => gate.then(() => 1));
    const second = upstream.call(async () => 2);
    const third = await upstream.call(async () => 3).catch((caught: unknown) => caught);
    expect(third).toBeInstanceOf(UpstreamUnavailableError);
    expect((third as UpstreamUnavailableError).reason).toBe('bulkhead-full');
    release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
  });

  it('honours Retry-After within maxDelay', async () => {
    const lines: { msg?: string; delayMs?: number }[] = [];
    const recording = createLogger('upstream-test', {
      level: 'debug',
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    });
    const upstream = createUpstream({
      name: uniqueName('retry-after'),
      logger: recording,
      timeoutMs: 1_000,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 40 },
    });
    let attempts = 0;
    await upstream.call(async () => {
      attempts++;
      if (attempts === 1) {
        throw new UpstreamError({
          upstream: 'test',
          detail: '429',
          retryable: true,
          status: 429,
          retryAfterMs: 30,
        });
      }
      if (attempts === 2) {
        throw new UpstreamError({
          upstream: 'test',
          detail: '429',
          retryable: true,
          status: 429,
          retryAfterMs: 5_000,
        });
      }
      return 'ok';
    });
    const delays = lines.filter((line) => line.msg === 'retrying upstream call').map((line) => line.delayMs);
    expect(delays).toEqual([30, 40]);
  });
});
