import { expect, it } from 'vitest';
import { BoundedLabel, counter, metricsRegistry, metricsScope } from './metrics.ts';

it('keeps declared values and the first `cap` others, and puts the rest in one bucket', () => {
  const names = new BoundedLabel(2);
  names.declare(['Declared']);
  expect(['A', 'B', 'C', 'Declared', 'A', 'D'].map((name) => names.valueOf(name))).toEqual([
    'A',
    'B',
    'other',
    'Declared',
    'A',
    'other',
  ]);
});

it("serves a service only its own series, in prom-client's format, and the process's to one service", async () => {
  const requests = counter('scope_test_requests_total', 'Requests "quoted"\\ help', [
    'service',
    'path',
  ] as const);
  requests.inc({ service: 'scope-a', path: 'with "quotes" and \\ and\nnewline' }, 2);
  requests.inc({ service: 'scope-b', path: '/b' });
  const first = metricsScope('scope-a');
  const second = metricsScope('scope-b');
  try {
    const [a, b, everything] = await Promise.all([first.text(), second.text(), metricsRegistry.metrics()]);
    const linesOf = (text: string, name: string) => text.split('\n').filter((line) => line.includes(name));
    // Byte for byte what prom-client prints for the same series.
    expect(linesOf(a, 'scope_test_requests_total')).toEqual(
      linesOf(everything, 'scope_test_requests_total').filter((line) => !line.includes('scope-b')),
    );
    expect(a).not.toContain('scope-b');
    expect(b).toContain('scope_test_requests_total{service="scope-b",path="/b"} 1');
    expect(b).not.toContain('scope-a');
    // Process series (no service label) go with exactly one of the two.
    const owners = [a, b].filter((text) => text.includes('process_cpu_user_seconds_total')).length;
    expect(owners).toBe(1);
  } finally {
    first.release();
    second.release();
  }
});
