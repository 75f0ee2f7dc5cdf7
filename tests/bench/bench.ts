/**
 * `npm run bench`: the side-by-side benchmark. One run starts the whole system (./stack.ts),
 * seeds it through the API, then measures every workload (./workloads.ts) on every target that
 * can answer it (./targets.ts), in alternating order (P A H, then H A P, ...), every body checked.
 * Figures from one run are only compared with each other: the ratios are what count.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { measureRun, type MeasuredProcess, type RunResult } from './measure.ts';
import { startStack, subgraphNames, rssMb, type BenchProcess, type Stack } from './stack.ts';
import { seedThroughApi } from './seed.ts';
import { manifestPath, startOurGateway, startPeers, targetDescriptions } from './targets.ts';
import {
  createWorkloads,
  destinationsDocument,
  tripsQuery,
  type Seed,
  type TargetName,
  type Workload,
} from './workloads.ts';
import { summarize, type BenchReport, type WorkloadReport } from './report.ts';

export interface BenchOptions {
  durationSeconds: number;
  warmupSeconds: number;
  repeat: number;
  /** Overrides every workload's connection count (smoke: a couple). */
  connections?: number;
  only?: string[];
  targets?: TargetName[];
  smoke: boolean;
  command: string;
}

const benchStarted = performance.now();
export const log = (line: string) =>
  console.log(`[${((performance.now() - benchStarted) / 1000).toFixed(1).padStart(6)} s] ${line}`);

export interface Running {
  stack: Stack;
  seed: Seed;
  targets: Partial<Record<TargetName, BenchProcess>>;
  close(): Promise<void>;
}

/** Everything up and seeded, the caches of the trip page primed. */
export async function startEverything(wanted: Set<TargetName>): Promise<Running> {
  log('starting PostgreSQL database, Redis, upstream emulators and the four subgraphs');
  const stack = await startStack(log);
  const targets: Partial<Record<TargetName, BenchProcess>> = {};
  const close = async () => {
    for (const target of Object.values(targets)) await target.stop().catch(() => {});
    await stack.close();
  };
  try {
    targets.P = await startOurGateway(stack);
    log(`  P pid ${targets.P.pid} on ${targets.P.url}`);
    log('seeding through the API: 50 travelers with a trip each, a planner with 20 trips');
    const seed = await seedThroughApi(targets.P.url, stack);
    const minimalData = await minimalSubgraphData(stack, seed);
    Object.assign(targets, await startPeers(stack, minimalData, wanted));
    for (const name of ['A', 'H', 'M', 'R'] as const) {
      if (targets[name]) log(`  ${name} pid ${targets[name].pid} on ${targets[name].url}`);
    }
    if (!wanted.has('P')) {
      await targets.P.stop();
      delete targets.P;
    }
    return { stack, seed, targets, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** What M serves: the trip subgraph's own answers to the same queries. */
async function minimalSubgraphData(stack: Stack, seed: Seed) {
  const ask = async (headers: Record<string, string>, query: string, variables: object = {}) => {
    const response = await fetch(stack.subgraphs.trip.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown };
    if (!body.data) throw new Error(`trip subgraph: ${JSON.stringify(body).slice(0, 300)}`);
    return body.data;
  };
  const trips = await ask(seed.planner.directHeaders, tripsQuery);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const destinations = await ask(seed.anonymousDirectHeaders, destinationsDocument(manifest).body, {
    first: 20,
  });
  return {
    trips: trips.trips.edges.map((edge: { node: unknown }) => edge.node),
    destinations: destinations.destinations,
  };
}

export function targetUrl(running: Running, target: TargetName): string {
  if (target === 'D') return running.stack.subgraphs.trip.url;
  const process = running.targets[target];
  if (!process) throw new Error(`target ${target} is not running`);
  return process.url;
}

/** The processes a run of `target` is measured on: what it hits first, then everything behind. */
export function processesOf(running: Running, target: TargetName): MeasuredProcess[] {
  const { stack } = running;
  const front = target === 'D' ? undefined : running.targets[target];
  return [
    ...(front ? [{ label: 'front', pid: front.pid }] : []),
    ...subgraphNames.map((name) => ({ label: name, pid: stack.subgraphs[name].pid })),
    { label: 'redis', pid: stack.redisPid },
    { label: 'upstreams', pid: stack.upstreams.pid },
  ];
}

export function runOn(
  running: Running,
  target: TargetName,
  workload: Workload,
  durationSeconds: number,
  connections: number,
  extra: Partial<Parameters<typeof measureRun>[0]> = {},
): Promise<RunResult> {
  return measureRun({
    url: targetUrl(running, target),
    target,
    workload,
    seed: running.seed,
    connections,
    durationSeconds,
    processes: processesOf(running, target),
    postgresBackends: running.stack.postgresBackends,
    ...extra,
  });
}

/** Asks every traveler's trip page once through `url`, so suggestions and offers are cached before anything is timed. */
export async function primeTripPages(
  on: { url: string; seed: Seed; target?: TargetName },
  workloads: Workload[],
) {
  const tripPage = workloads.find((workload) => workload.name === 'trip-page-50')!;
  for (const _ of on.seed.travelers) {
    const { request, check } = tripPage.next(on.target ?? 'P', on.seed);
    const response = await fetch(on.url, { method: 'POST', headers: request.headers, body: request.body });
    const problem = check(response.status, await response.text());
    if (problem) throw new Error(`priming the trip pages: ${problem}`);
  }
}

/** Apollo Server's APQ keeps documents it was sent once; a client would register on its first miss. */
async function registerApq(
  running: Running,
  manifest: { operations: { name: string; body: string; id: string }[] },
) {
  const url = running.targets.A?.url;
  if (!url) return;
  const document = destinationsDocument(manifest);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: document.body,
      variables: { first: 20 },
      extensions: { persistedQuery: { version: 1, sha256Hash: document.id } },
    }),
  });
  if (response.status !== 200) throw new Error(`A: APQ registration answered ${response.status}`);
}

export async function runSideBySide(options: BenchOptions): Promise<BenchReport> {
  const startedAt = new Date();
  const machine = {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((value) => Number(value.toFixed(2))),
    node: process.version,
  };
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const workloads = createWorkloads({ manifest, connections: options.connections }).filter(
    (workload) => !options.only?.length || options.only.includes(workload.name),
  );
  if (!workloads.length) throw new Error(`no workload named ${options.only?.join(', ')}`);
  const targetsOf = (workload: Workload) =>
    workload.targets.filter((target) => !options.targets?.length || options.targets.includes(target));
  const wanted = new Set(workloads.flatMap(targetsOf));
  const running = await startEverything(wanted);
  const reports: WorkloadReport[] = [];
  try {
    // Through the first gateway running, with the whole set's trip page, whichever workloads
    // were picked with --only.
    const primer = (['P', 'A', 'H'] as const).find((name) => running.targets[name]);
    if (primer) {
      await primeTripPages(
        { url: running.targets[primer]!.url, seed: running.seed, target: primer },
        createWorkloads({ manifest }),
      );
    }
    await registerApq(running, manifest);
    for (const workload of workloads) {
      const order = targetsOf(workload);
      log(`\n${workload.name}: ${workload.title} (${workload.connections} connections)`);
      for (const target of order) {
        await runOn(running, target, workload, options.warmupSeconds, workload.connections);
      }
      const runs: RunResult[] = [];
      for (let round = 0; round < options.repeat; round++) {
        // Alternate the order (P A H, H A P, ...) so neither side always runs on a warmer machine.
        for (const target of round % 2 ? [...order].reverse() : order) {
          const result = await runOn(
            running,
            target,
            workload,
            options.durationSeconds,
            workload.connections,
          );
          log(
            `  ${target} round ${round + 1}: ${Math.round(result.requestsPerSecond)} req/s, ${result.errors} errors` +
              (result.firstProblem ? ` (first: ${result.firstProblem})` : ''),
          );
          runs.push(result);
        }
      }
      reports.push({
        name: workload.name,
        title: workload.title,
        connections: workload.connections,
        targets: order,
        runs,
      });
    }
    const rssAtEnd = Object.fromEntries(
      [
        ...Object.entries(running.targets).map(([name, process]) => [name, process.pid] as const),
        ...subgraphNames.map((name) => [name, running.stack.subgraphs[name].pid] as const),
        ['redis', running.stack.redisPid] as const,
        ['upstreams', running.stack.upstreams.pid] as const,
      ].map(([name, pid]) => [name, Number(rssMb(pid).toFixed(1))]),
    );
    return summarize({
      command: options.command,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine,
      settings: {
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        repeat: options.repeat,
        smoke: options.smoke,
      },
      targets: Object.fromEntries([...wanted].map((name) => [name, targetDescriptions[name]])),
      workloads: reports,
      rssAtEndMb: rssAtEnd,
    });
  } finally {
    await running.close();
  }
}
