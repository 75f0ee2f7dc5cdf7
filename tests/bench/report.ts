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
