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

/**
 * Label values taken from requests (operation names, error codes) are bounded: the values an
 * operator declared (the persisted-operation manifest) and the first `cap` others seen keep their
 * own series; everything after that shares `other`. A client inventing a new operation name per
 * request must not grow the scrape, Prometheus's memory and every dashboard without limit.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();
  private readonly declared = new Set<string>();

  constructor(
    private readonly cap: number,
    private readonly overflow = 'other',
  ) {}

  /** Values that always keep their own series (they do not count against the cap). */
  declare(values: Iterable<string>) {
    for (const value of values) this.declared.add(value);
  }

  valueOf(value: string): string {
    if (this.declared.has(value) || this.seen.has(value)) return value;
    if (this.seen.size >= this.cap) return this.overflow;
    this.seen.add(value);
    return value;
  }
}

// Exposition format escaping (https://prometheus.io/docs/instrumenting/exposition_formats/).
const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const formatValue = (value: number) =>
  Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : `${value}`;

/**
 * The text exposition of the series `keep` accepts (metric families left with no series are
 * left out). Written here rather than taken from prom-client, whose registry can only print
 * everything it holds.
 */
async function exposition(keep: (labels: Record<string, string | number>) => boolean): Promise<string> {
  // getMetricsAsArray is typed as plain objects; they are the metrics themselves.
  const metrics = metricsRegistry.getMetricsAsArray() as unknown as client.Metric[];
  const families = await Promise.all(metrics.map((metric) => metric.get()));
  const blocks: string[] = [];
  for (const family of families) {
    const lines: string[] = [];
    for (const sample of family.values) {
      const labels = (sample.labels ?? {}) as Record<string, string | number>;
      if (!keep(labels)) continue;
      const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabel(String(value))}"`);
      const name = (sample as { metricName?: string }).metricName ?? family.name;
      lines.push(`${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${formatValue(sample.value)}`);
    }
    if (lines.length === 0) continue;
    blocks.push(
      [
        `# HELP ${family.name} ${escapeHelp(family.help)}`,
        `# TYPE ${family.name} ${family.type}`,
        ...lines,
      ].join('\n'),
    );
  }
  return `${blocks.join('\n\n')}\n`;
}

/** Services answering /metrics on their own port in this process, in the order they started. */
const scopedServices: string[] = [];

export interface MetricsScope {
  /** The Prometheus text of this service's series (and, for one service, the process's). */
  text(): Promise<string>;
  release(): void;
}

/**
 * What one service's port answers on /metrics when several services share a process (`npm start`):
 * only series labelled with its own `service`, so scraping every port counts each series once.
 * Series of the process itself (memory, CPU, event loop: no `service` label) go with the first
 * service still serving; a service alone in its process is that service.
 */
export function metricsScope(service: string): MetricsScope {
  scopedServices.push(service);
  let released = false;
  return {
    text: () =>
      exposition((labels) =>
        labels.service === undefined ? scopedServices[0] === service : labels.service === service,
      ),
    release: () => {
      if (released) return;
      released = true;
      scopedServices.splice(scopedServices.indexOf(service), 1);
    },
  };
}

/** Everything in the registry (a process's own metrics listener, METRICS_PORT). */
export const processMetricsText = () => metricsRegistry.metrics();
