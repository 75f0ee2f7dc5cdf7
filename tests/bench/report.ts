/** Small helpers to print benchmark results as a table with ratios against a baseline. */
export interface Measurement {
  name: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  errors: number;
}

export function printComparison(title: string, baseline: Measurement, others: Measurement[]) {
  console.log(`\n${title}`);
  const rows = [baseline, ...others].map((measurement) => ({
    case: measurement.name,
    'req/s': Math.round(measurement.requestsPerSecond),
    'p50 ms': measurement.latencyP50Ms,
    'p99 ms': measurement.latencyP99Ms,
    errors: measurement.errors,
    'throughput vs baseline': (measurement.requestsPerSecond / baseline.requestsPerSecond).toFixed(2),
  }));
  console.table(rows);
}

/** POSTs `body` to `url` for `duration` seconds over `connections` connections (autocannon). */
export async function measurePost(
  name: string,
  url: string,
  headers: Record<string, string>,
  body: object,
  options: { connections: number; duration: number },
): Promise<Measurement> {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    connections: options.connections,
    duration: options.duration,
  });
  return {
    name,
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}
