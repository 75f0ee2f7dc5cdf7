import client from 'prom-client';

/**
 * One registry per process. In embedded mode every service shares a process, so each metric
 * carries a `service` label instead of each service registering its own copy.
 */
export const metricsRegistry = new client.Registry();
client.collectDefaultMetrics({ register: metricsRegistry });

function once<T>(name: string, make: () => T): T {
  return (metricsRegistry.getSingleMetric(name) as T | undefined) ?? make();
}

export const httpRequestDuration = once(
  'http_request_duration_seconds',
  () =>
    new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds',
      labelNames: ['service', 'method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metricsRegistry],
    }),
);

/** Gets or makes a counter in the shared registry (safe to call from many modules). */
export function counter<L extends string>(name: string, help: string, labelNames: readonly L[]) {
  return once(name, () => new client.Counter<L>({ name, help, labelNames, registers: [metricsRegistry] }));
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[]) {
  return once(name, () => new client.Gauge<L>({ name, help, labelNames, registers: [metricsRegistry] }));
}

export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets?: number[],
) {
  return once(
    name,
    () =>
      new client.Histogram<L>({
        name,
        help,
        labelNames,
        registers: [metricsRegistry],
        ...(buckets ? { buckets } : {}),
      }),
  );
}
