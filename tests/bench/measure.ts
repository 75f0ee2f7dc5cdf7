/**
 * One measured run: autocannon (in this process, which no figure counts) drives one target with
 * one workload; every body is checked; each measured process's CPU time (/proc/<pid>/stat, user
 * + system) is read before and after, and its RSS (/proc/<pid>/status VmRSS) after.
 */
import autocannon from 'autocannon';
import { cpuMs, rssMb } from './stack.ts';
import type { Check, Seed, TargetName, Workload } from './workloads.ts';

export interface MeasuredProcess {
  /** Column name: front (what the load hits), trip, ai, search, notification, redis, upstreams. */
  label: string;
  pid: number;
}

export interface RunResult {
  target: TargetName;
  durationSeconds: number;
  requests: number;
  requestsPerSecond: number;
  /** Socket errors, timeouts, non-2xx and bodies that failed their check. */
  errors: number;
  badBodies: number;
  /** autocannon's socket errors, of which timeouts (10 s without an answer). */
  socketErrors: number;
  timeouts: number;
  firstProblem?: string;
  latenciesMs: number[];
  /** CPU ms spent by each process during the run. */
  cpuMs: Record<string, number>;
  rssMb: Record<string, number>;
  loadGeneratorCpuMs: number;
}

export interface RunOptions {
  url: string;
  target: TargetName;
  workload: Workload;
  seed: Seed;
  connections: number;
  durationSeconds: number;
  processes: MeasuredProcess[];
  /** PIDs of the PostgreSQL backends of the bench's database, asked before and after. */
  postgresBackends?: () => Promise<number[]>;
  /** Called every `sampleEverySeconds` while the run goes (the soak samples RSS). */
  onSample?: () => void;
  sampleEverySeconds?: number;
}

export async function measureRun(options: RunOptions): Promise<RunResult> {
  const { workload, target, seed } = options;
  const base = new URL(options.url);
  const latenciesMs: number[] = [];
  let badBodies = 0;
  let firstProblem: string | undefined;
  const record = (problem: string | undefined) => {
    if (!problem) return;
    badBodies++;
    firstProblem ??= problem;
  };

  const backendsBefore = options.postgresBackends ? await options.postgresBackends() : [];
  const cpuBefore = new Map(options.processes.map((process) => [process.label, cpuMs(process.pid)]));
  const postgresBefore = new Map(backendsBefore.map((pid) => [pid, cpuMs(pid)]));
  const loadGeneratorBefore = process.cpuUsage();
  const started = performance.now();

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: base.origin,
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: 10,
        requests: [
          {
            setupRequest: (request, context) => {
              const { request: built, check } = workload.next(target, seed);
              (context as { check?: Check }).check = check;
              return {
                ...request,
                method: built.method,
                path: base.pathname + (built.query ?? ''),
                headers: built.headers,
                ...(built.body ? { body: built.body } : { body: undefined }),
              } as typeof request;
            },
            onResponse: (status, body, context) => {
              const check = (context as { check?: Check }).check;
              record(check ? check(status, body) : 'no check for this response');
            },
          },
        ],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latenciesMs.push(responseTime);
    });
    if (options.onSample) {
      const timer = setInterval(options.onSample, (options.sampleEverySeconds ?? 10) * 1000);
      instance.on('done', () => clearInterval(timer));
    }
  });

  const elapsedSeconds = (performance.now() - started) / 1000;
  const loadGenerator = process.cpuUsage(loadGeneratorBefore);
  const cpu: Record<string, number> = {};
  for (const measured of options.processes)
    cpu[measured.label] = cpuMs(measured.pid) - cpuBefore.get(measured.label)!;
  if (options.postgresBackends) {
    const backendsAfter = await options.postgresBackends();
    // Backends that left during the run took their CPU with them; new ones count from zero.
    cpu.postgres = backendsAfter.reduce((sum, pid) => sum + cpuMs(pid) - (postgresBefore.get(pid) ?? 0), 0);
  }
  const rss: Record<string, number> = {};
  for (const measured of options.processes) rss[measured.label] = rssMb(measured.pid);

  // autocannon's errors include its timeouts; non-2xx answers fail their check, so each bad
  // request is counted once.
  const errors = result.errors + badBodies;
  return {
    target,
    durationSeconds: elapsedSeconds,
    requests: latenciesMs.length,
    requestsPerSecond: latenciesMs.length / options.durationSeconds,
    errors,
    badBodies,
    socketErrors: result.errors,
    timeouts: result.timeouts,
    ...(firstProblem ? { firstProblem } : {}),
    latenciesMs,
    cpuMs: cpu,
    rssMb: rss,
    loadGeneratorCpuMs: (loadGenerator.user + loadGenerator.system) / 1000,
  };
}

export function percentile(sorted: number[], fraction: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}
