/**
 * `npm run bench -- soak`: the mixed workload on P for ten minutes (--duration overrides), RSS of
 * every process sampled twenty times along the way. The target: each process's RSS at the end
 * within 10% of its RSS after the warm-up. Exits non-zero when a process grew more than that.
 */
import { readFileSync } from 'node:fs';
import { rssMb, subgraphNames } from './stack.ts';
import { manifestPath } from './targets.ts';
import { createWorkloads } from './workloads.ts';
import { log, runOn, startEverything } from './bench.ts';

export interface SoakOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections?: number;
  command: string;
}

export interface SoakReport {
  command: string;
  startedAt: string;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  timeouts: number;
  firstProblem?: string;
  /** Seconds since the start of the measured run, and each process's RSS (MB) then. */
  samples: { atSeconds: number; rssMb: Record<string, number> }[];
  processes: { name: string; firstMb: number; lastMb: number; maxMb: number; growthPercent: number }[];
  flat: boolean;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const startedAt = new Date().toISOString();
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const workload = createWorkloads({ manifest, connections: options.connections }).find(
    (candidate) => candidate.name === 'mixed',
  )!;
  const running = await startEverything(new Set(['P']));
  try {
    const pids: [string, number][] = [
      ['P', running.targets.P!.pid],
      ...subgraphNames.map((name) => [name, running.stack.subgraphs[name].pid] as [string, number]),
      ['redis', running.stack.redisPid],
      ['upstreams', running.stack.upstreams.pid],
    ];
    log(
      `soak: warm-up ${options.warmupSeconds} s, then ${options.durationSeconds} s of ${workload.name} on P`,
    );
    await runOn(running, 'P', workload, options.warmupSeconds, workload.connections);
    const samples: SoakReport['samples'] = [];
    const started = performance.now();
    const sample = () =>
      samples.push({
        atSeconds: Math.round((performance.now() - started) / 1000),
        rssMb: Object.fromEntries(pids.map(([name, pid]) => [name, Number(rssMb(pid).toFixed(1))])),
      });
    sample();
    const result = await runOn(running, 'P', workload, options.durationSeconds, workload.connections, {
      onSample: sample,
      sampleEverySeconds: Math.max(1, options.durationSeconds / 20),
    });
    sample();
    const processes = pids.map(([name]) =>
      rssTrendOf(
        name,
        samples.map((entry) => entry.rssMb[name]!),
      ),
    );
    return {
      command: options.command,
      startedAt,
      durationSeconds: options.durationSeconds,
      requests: result.requests,
      requestsPerSecond: Number(result.requestsPerSecond.toFixed(1)),
      errors: result.errors,
      timeouts: result.timeouts,
      ...(result.firstProblem ? { firstProblem: result.firstProblem } : {}),
      samples,
      processes,
      flat: processes.every((process) => process.growthPercent <= 10),
    };
  } finally {
    await running.close();
  }
}

/**
 * A process's RSS over the run. Single samples ride the garbage collector's sawtooth (a sample
 * taken just before a major collection reads 20-30% high), so the growth compares the median of
 * the first quarter of the samples with the median of the last quarter: a leak moves both the
 * floor and the peaks, a sawtooth neither.
 */
export function rssTrendOf(name: string, series: number[]) {
  const quarter = Math.max(1, Math.floor(series.length / 4));
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const firstMb = Number(median(series.slice(0, quarter)).toFixed(1));
  const lastMb = Number(median(series.slice(-quarter)).toFixed(1));
  return {
    name,
    firstMb,
    lastMb,
    maxMb: Math.max(...series),
    growthPercent: Number((((lastMb - firstMb) / firstMb) * 100).toFixed(1)),
  };
}

export function renderSoakMarkdown(report: SoakReport): string {
  return [
    `Soak ${report.startedAt}: \`${report.command}\`, ${report.durationSeconds} s of the mixed workload on P: ` +
      `${report.requestsPerSecond} req/s, ${report.errors} errors (${report.timeouts} timeouts). RSS ${report.flat ? 'flat' : 'NOT flat'} (target: within 10%).`,
    '',
    '| process | RSS after warm-up MB (median, first quarter) | at the end MB (median, last quarter) | max MB | growth |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...report.processes.map(
      (process) =>
        `| ${process.name} | ${process.firstMb} | ${process.lastMb} | ${process.maxMb} | ${process.growthPercent}% |`,
    ),
  ].join('\n');
}
