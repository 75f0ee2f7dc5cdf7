/**
 * Turning runs into figures: per target of each workload (all its rounds together) req/s,
 * p50/p95/p99, errors, CPU ms per request of every process and RSS; the ratios the performance
 * targets name; the tables of BENCHMARKS.md and the JSON beside them. Also the small
 * printComparison/measurePost pair the single-process benches (edge, broadcast) use.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as prettier from 'prettier';
import { percentile, type RunResult } from './measure.ts';
import type { TargetName } from './workloads.ts';

export interface WorkloadReport {
  name: string;
  title: string;
  connections: number;
  targets: TargetName[];
  runs: RunResult[];
}

export interface Row {
  target: TargetName;
  rounds: number;
  requests: number;
  requestsPerSecond: number;
  /** req/s of each round, in the order they ran. */
  roundsRequestsPerSecond: number[];
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  /** Of the errors: requests that got no answer in 10 s. */
  timeouts: number;
  firstProblem?: string;
  /** CPU ms per request of each process (front: the process the load hits). */
  cpuMsPerRequest: Record<string, number>;
  cpuMsPerRequestTotal: number;
  /** RSS after the last round, MB. */
  rssMb: Record<string, number>;
  loadGeneratorCpuMsPerRequest: number;
}

export interface Ratio {
  name: string;
  value: number | null;
  detail: string;
}

export interface BenchReport {
  command: string;
  startedAt: string;
  finishedAt: string;
  machine: { nproc: number; cpuModel: string; memoryGb: number; loadAverageAtStart: number[]; node: string };
  settings: { durationSeconds: number; warmupSeconds: number; repeat: number; smoke: boolean };
  targets: Record<string, string>;
  workloads: { name: string; title: string; connections: number; rows: Row[] }[];
  ratios: Ratio[];
  rssAtEndMb: Record<string, number>;
  /** Errors summed over every run (smoke fails on any). */
  totalErrors: number;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

function row(target: TargetName, runs: RunResult[]): Row {
  const requests = runs.reduce((sum, run) => sum + run.requests, 0);
  const seconds = runs.reduce((sum, run) => sum + run.durationSeconds, 0);
  const latencies = runs.flatMap((run) => run.latenciesMs).sort((a, b) => a - b);
  const labels = [...new Set(runs.flatMap((run) => Object.keys(run.cpuMs)))];
  const cpuMsPerRequest = Object.fromEntries(
    labels.map((label) => [
      label,
      requests ? round(runs.reduce((sum, run) => sum + (run.cpuMs[label] ?? 0), 0) / requests, 3) : 0,
    ]),
  );
  const last = runs[runs.length - 1]!;
  return {
    target,
    rounds: runs.length,
    requests,
    requestsPerSecond: round(seconds ? requests / seconds : 0, 1),
    roundsRequestsPerSecond: runs.map((run) => round(run.requestsPerSecond, 1)),
    p50Ms: round(percentile(latencies, 0.5)),
    p95Ms: round(percentile(latencies, 0.95)),
    p99Ms: round(percentile(latencies, 0.99)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    timeouts: runs.reduce((sum, run) => sum + run.timeouts, 0),
    ...(runs.find((run) => run.firstProblem)
      ? { firstProblem: runs.find((run) => run.firstProblem)!.firstProblem }
      : {}),
    cpuMsPerRequest,
    cpuMsPerRequestTotal: round(
      Object.values(cpuMsPerRequest).reduce((sum, value) => sum + value, 0),
      3,
    ),
    rssMb: Object.fromEntries(Object.entries(last.rssMb).map(([label, value]) => [label, round(value, 1)])),
    loadGeneratorCpuMsPerRequest: requests
      ? round(runs.reduce((sum, run) => sum + run.loadGeneratorCpuMs, 0) / requests, 3)
      : 0,
  };
}

function ratios(workloads: BenchReport['workloads']): Ratio[] {
  const find = (workload: string, target: TargetName) =>
    workloads
      .find((candidate) => candidate.name === workload)
      ?.rows.find((candidate) => candidate.target === target);
  const out: Ratio[] = [];
  const throughput = (name: string, workload: string, a: TargetName, b: TargetName) => {
    const left = find(workload, a);
    const right = find(workload, b);
    if (!left || !right) return;
    out.push({
      name,
      value: right.requestsPerSecond ? round(left.requestsPerSecond / right.requestsPerSecond) : null,
      detail: `${workload}: ${left.requestsPerSecond} / ${right.requestsPerSecond} req/s`,
    });
  };
  throughput('trip page throughput P/A', 'trip-page-50', 'P', 'A');
  throughput('trip page throughput P/H', 'trip-page-50', 'P', 'H');
  throughput('trip page, one traveler, P/A', 'trip-page-1', 'P', 'A');
  throughput('trip page, one traveler, P/H', 'trip-page-1', 'P', 'H');
  throughput('trips throughput P/A', 'trips', 'P', 'A');
  throughput('trips throughput P/D', 'trips', 'P', 'D');
  throughput('GET persisted throughput P/R', 'destinations-get', 'P', 'R');
  for (const workload of workloads) {
    const ours = find(workload.name, 'P');
    const stock = find(workload.name, 'A');
    if (ours && stock && stock.cpuMsPerRequest.front) {
      out.push({
        name: `edge CPU per request P/A, ${workload.name}`,
        value: round(ours.cpuMsPerRequest.front! / stock.cpuMsPerRequest.front),
        detail: `${ours.cpuMsPerRequest.front} vs ${stock.cpuMsPerRequest.front} ms`,
      });
    }
  }
  for (const workload of workloads) {
    const ours = find(workload.name, 'P');
    if (ours) {
      out.push({
        name: `P p99/p50, ${workload.name}`,
        value: ours.p50Ms ? round(ours.p99Ms / ours.p50Ms) : null,
        detail: `${ours.p99Ms} / ${ours.p50Ms} ms`,
      });
    }
  }
  for (const target of ['P', 'A', 'H'] as const) {
    const mixed = find('mixed', target);
    if (mixed) {
      out.push({
        name: `mixed p95 (ms), ${target}`,
        value: mixed.p95Ms,
        detail: `${mixed.errors} errors in ${mixed.requests} requests`,
      });
    }
  }
  return out;
}

export function summarize(
  input: Omit<BenchReport, 'workloads' | 'ratios' | 'totalErrors'> & {
    workloads: WorkloadReport[];
  },
): BenchReport {
  const workloads = input.workloads.map((workload) => ({
    name: workload.name,
    title: workload.title,
    connections: workload.connections,
    rows: workload.targets.map((target) =>
      row(
        target,
        workload.runs.filter((run) => run.target === target),
      ),
    ),
  }));
  return {
    ...input,
    workloads,
    ratios: ratios(workloads),
    totalErrors: workloads.reduce(
      (sum, workload) => sum + workload.rows.reduce((s, r) => s + r.errors, 0),
      0,
    ),
  };
}

const processColumns = ['front', 'trip', 'ai', 'search', 'notification', 'redis', 'postgres', 'upstreams'];

export function renderMarkdown(report: BenchReport): string {
  const lines: string[] = [];
  const { machine, settings } = report;
  lines.push(
    `Run ${report.startedAt} (${Math.round((Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000)} s): \`${report.command}\``,
    '',
    `Machine: ${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}; ` +
      `load average at start ${machine.loadAverageAtStart.join(' / ')} (1 / 5 / 15 min). ` +
      `${settings.durationSeconds} s per target per round, ${settings.repeat} round(s), ${settings.warmupSeconds} s warm-up.`,
    '',
    ...(machine.loadAverageAtStart[0]! > machine.nproc
      ? [
          `**The machine was busy when this run started (load average above its ${machine.nproc} cores): ` +
            'other work shared the CPU, so these figures, ratios included, are not representative.**',
          '',
        ]
      : []),
    '### Ratios',
    '',
    '| ratio | value | from |',
    '| --- | ---: | --- |',
    ...report.ratios.map((ratio) => `| ${ratio.name} | ${ratio.value ?? '—'} | ${ratio.detail} |`),
    '',
  );
  for (const workload of report.workloads) {
    lines.push(
      `### ${workload.name}`,
      '',
      `${workload.title}; ${workload.connections} connections.`,
      '',
      `| target | req/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/req: ${processColumns.join(' · ')} | CPU total | RSS MB front |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    );
    for (const entry of workload.rows) {
      const cpu = processColumns
        .map((label) =>
          entry.cpuMsPerRequest[label] === undefined ? '—' : entry.cpuMsPerRequest[label]!.toFixed(3),
        )
        .join(' · ');
      lines.push(
        `| ${entry.target} | ${entry.requestsPerSecond} | ${entry.p50Ms} | ${entry.p95Ms} | ${entry.p99Ms} | ${entry.errors} | ${cpu} | ${entry.cpuMsPerRequestTotal.toFixed(3)} | ${entry.rssMb.front ?? '—'} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '### RSS of every process at the end (MB)',
    '',
    `| ${Object.keys(report.rssAtEndMb).join(' | ')} |`,
    `| ${Object.keys(report.rssAtEndMb)
      .map(() => '---:')
      .join(' | ')} |`,
    `| ${Object.values(report.rssAtEndMb).join(' | ')} |`,
    '',
  );
  return lines.join('\n');
}

/** Replaces what lies between `<!-- name:start -->` and `<!-- name:end -->` in `file`. */
export function replaceSection(file: string, name: string, content: string) {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const block = `${start}\n${content.trim()}\n${end}`;
  const next =
    from >= 0 && to > from
      ? text.slice(0, from) + block + text.slice(to + end.length)
      : `${text}\n${block}\n`;
  writeFileSync(file, next);
}

/** Written as the repository's formatter would, so a committed result passes `npm run format:check`. */
export async function writeJson(file: string, value: unknown) {
  mkdirSync(dirname(file), { recursive: true });
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(JSON.stringify(value), { ...options, filepath: file }));
}

/** A plain console table of a report, for the terminal. */
export function printReport(report: BenchReport) {
  for (const workload of report.workloads) {
    console.log(`\n${workload.name}: ${workload.title}`);
    console.table(
      workload.rows.map((entry) => ({
        target: entry.target,
        'req/s': entry.requestsPerSecond,
        'p50 ms': entry.p50Ms,
        'p95 ms': entry.p95Ms,
        'p99 ms': entry.p99Ms,
        errors: entry.errors,
        'CPU ms/req front': entry.cpuMsPerRequest.front ?? '—',
        'CPU ms/req total': entry.cpuMsPerRequestTotal,
        'RSS MB front': entry.rssMb.front ?? '—',
      })),
    );
  }
  console.log('\nratios');
  console.table(
    report.ratios.map((ratio) => ({ ratio: ratio.name, value: ratio.value, from: ratio.detail })),
  );
}

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
