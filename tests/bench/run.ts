/**
 * `npm run bench [-- options]`, the benchmarks' one entry point:
 *   npm run bench                 the side-by-side run (./bench.ts): BENCHMARKS.md and results/latest.json
 *   npm run bench -- --smoke      a second per target, two connections, no thresholds (CI): fails
 *                                 only when the harness breaks or a body is wrong; results/smoke.json
 *   npm run bench -- soak         ten minutes of the mixed workload, RSS of every process (./soak.ts)
 *   npm run bench -- start        the mixed workload on `npm start` in PostgreSQL mode (./start-mode.ts)
 *   npm run bench -- edge         a single-process bench (tests/bench/<name>.bench.ts: edge, broadcast,
 *                                 cache)
 * Options: --duration S, --warmup S, --repeat N, --connections N, --only workload[,workload],
 * --targets P,A,...; --no-write keeps BENCHMARKS.md as it is.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runSideBySide } from './bench.ts';
import { printReport, renderMarkdown, replaceSection, writeJson } from './report.ts';
import { renderSoakMarkdown, runSoak } from './soak.ts';
import { renderStartModeMarkdown, runStartMode } from './start-mode.ts';
import type { TargetName } from './workloads.ts';

const directory = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(directory, '../..');
const benchmarksFile = join(repositoryRoot, 'BENCHMARKS.md');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    smoke: { type: 'boolean', default: false },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    repeat: { type: 'string' },
    connections: { type: 'string' },
    only: { type: 'string' },
    targets: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
  ' ',
);
const number = (value: string | undefined, fallback: number) =>
  value === undefined ? fallback : Number(value);
const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** A soak or start-mode run's length and connections from the flags, with their defaults. */
const timedRunOptions = (durationSeconds: number, warmupSeconds: number) => ({
  durationSeconds: number(values.duration, durationSeconds),
  warmupSeconds: number(values.warmup, warmupSeconds),
  connections: values.connections ? Number(values.connections) : undefined,
  command,
});

async function main(): Promise<number> {
  const mode = positionals[0];
  if (mode === 'soak') {
    const report = await runSoak({
      ...timedRunOptions(600, 30),
    });
    console.table(report.processes);
    console.log(
      `${report.requestsPerSecond} req/s, ${report.errors} errors; RSS ${report.flat ? 'flat' : 'NOT flat'}`,
    );
    await writeJson(join(directory, 'results/soak.json'), report);
    // A shortened soak proves the harness, not the memory: it does not replace the recorded figures.
    if (report.durationSeconds >= 600 && !values['no-write']) {
      replaceSection(benchmarksFile, 'bench:soak', renderSoakMarkdown(report));
    }
    if (report.errors) {
      console.error(
        `soak: ${report.errors} errors, ${report.timeouts} of them timeouts (first wrong body: ${report.firstProblem ?? 'none'})`,
      );
    }
    return report.errors || !report.flat ? 1 : 0;
  }
  if (mode === 'start') {
    const report = await runStartMode({
      ...timedRunOptions(60, 10),
    });
    console.log(
      `npm start (PostgreSQL mode), mixed: ${report.requestsPerSecond} req/s, p50 ${report.p50Ms} ms, p95 ${report.p95Ms} ms, p99 ${report.p99Ms} ms, ${report.errors} errors in ${report.requests}: bar ${report.passed ? 'met' : 'MISSED'}`,
    );
    await writeJson(join(directory, 'results/start.json'), report);
    if (report.durationSeconds >= 60 && !values['no-write']) {
      replaceSection(benchmarksFile, 'bench:start', renderStartModeMarkdown(report));
    }
    return report.passed ? 0 : 1;
  }
  if (mode) return runSingleProcessBenches(mode);

  const smoke = values.smoke;
  const report = await runSideBySide({
    durationSeconds: number(values.duration, smoke ? 1 : 10),
    warmupSeconds: number(values.warmup, smoke ? 0.5 : 3),
    repeat: number(values.repeat, smoke ? 1 : 2),
    connections: values.connections ? Number(values.connections) : smoke ? 2 : undefined,
    only: list(values.only),
    targets: list(values.targets) as TargetName[] | undefined,
    smoke,
    command,
  });
  printReport(report);
  await writeJson(join(directory, smoke ? 'results/smoke.json' : 'results/latest.json'), report);
  if (!smoke && !values['no-write']) replaceSection(benchmarksFile, 'bench:results', renderMarkdown(report));
  if (report.totalErrors) console.error(`\n${report.totalErrors} requests failed or answered wrong bodies`);
  // In a full run errors are figures (a peer failing under load is a result); the smoke run is
  // the harness's own check, so there any failed request fails it.
  return smoke && report.totalErrors ? 1 : 0;
}

/** The older single-process benches, each in its own process, one after another. */
function runSingleProcessBenches(filter: string): number {
  const files = readdirSync(directory)
    .filter((file) => file.endsWith('.bench.ts') && file.includes(filter))
    .sort();
  if (!files.length) {
    console.error(`no benchmark matches ${filter}`);
    return 1;
  }
  let failed = 0;
  for (const file of files) {
    console.log(`\n=== ${file}`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(directory, file)], {
      stdio: 'inherit',
      env: { LOG_LEVEL: 'silent', ...process.env },
    });
    if (result.status !== 0) failed++;
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
