/**
 * `npm run bench -- start`: the seed's own load bar on `npm start` in PostgreSQL mode (every
 * service in one process, as a single-machine deployment runs it): the mixed workload (80% trip
 * pages, 10% updates, 10% searches) at 100 connections for a minute (--duration overrides).
 * The bar: p95 < 500 ms and errors < 1%. Exits non-zero when it is missed.
 */
import { readFileSync } from 'node:fs';
import { freePort } from '@traveloure/platform/testing';
import { log, primeTripPages } from './bench.ts';
import { measureRun, percentile } from './measure.ts';
import { seedThroughApi } from './seed.ts';
import { rssMb, spawnNode, startStack } from './stack.ts';
import { manifestPath } from './targets.ts';
import { createWorkloads } from './workloads.ts';

/** The all-in-one host `npm start` runs. */
export const hostEntry = 'host/src/start.ts';

export interface StartModeReport {
  command: string;
  startedAt: string;
  durationSeconds: number;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  errorRate: number;
  firstProblem?: string;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  cpuMsPerRequest: { host: number; redis: number };
  rssMb: number;
  passed: boolean;
}

export async function runStartMode(options: {
  durationSeconds: number;
  warmupSeconds: number;
  connections?: number;
  command: string;
}): Promise<StartModeReport> {
  const startedAt = new Date().toISOString();
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const workloads = createWorkloads({ manifest, connections: options.connections });
  const mixed = workloads.find((workload) => workload.name === 'mixed')!;
  log('start mode: PostgreSQL database, Redis and the upstream emulators');
  const stack = await startStack(log, { subgraphs: false });
  const port = await freePort();
  try {
    const host = await spawnNode('host', hostEntry, {
      env: {
        ...stack.baseEnv,
        ...stack.upstreamEnv,
        GATEWAY_PORT: String(port),
        // As for P: one load generator plays every traveler from one address.
        RATE_LIMIT_USER: '1000000000',
        RATE_LIMIT_ANONYMOUS: '1000000000',
      },
      readyUrl: `http://127.0.0.1:${port}/health/ready`,
    });
    const url = `http://127.0.0.1:${port}/graphql`;
    log(`  npm start (PostgreSQL mode) pid ${host.pid} on ${url}`);
    try {
      const seed = await seedThroughApi(url, stack);
      await primeTripPages({ url, seed }, workloads);
      const run = (durationSeconds: number) =>
        measureRun({
          url,
          target: 'P',
          workload: mixed,
          seed,
          connections: mixed.connections,
          durationSeconds,
          processes: [
            { label: 'host', pid: host.pid },
            { label: 'redis', pid: stack.redisPid },
          ],
        });
      log(`  warm-up ${options.warmupSeconds} s`);
      await run(options.warmupSeconds);
      log(`  ${options.durationSeconds} s of ${mixed.name} at ${mixed.connections} connections`);
      const result = await run(options.durationSeconds);
      const latencies = [...result.latenciesMs].sort((a, b) => a - b);
      const round = (value: number) => Number(value.toFixed(2));
      const errorRate = result.requests ? result.errors / result.requests : 1;
      const p95Ms = round(percentile(latencies, 0.95));
      return {
        command: options.command,
        startedAt,
        durationSeconds: options.durationSeconds,
        connections: mixed.connections,
        requests: result.requests,
        requestsPerSecond: round(result.requestsPerSecond),
        errors: result.errors,
        errorRate: Number(errorRate.toFixed(4)),
        ...(result.firstProblem ? { firstProblem: result.firstProblem } : {}),
        p50Ms: round(percentile(latencies, 0.5)),
        p95Ms,
        p99Ms: round(percentile(latencies, 0.99)),
        cpuMsPerRequest: {
          host: round((result.cpuMs.host ?? 0) / Math.max(1, result.requests)),
          redis: round((result.cpuMs.redis ?? 0) / Math.max(1, result.requests)),
        },
        rssMb: round(rssMb(host.pid)),
        passed: p95Ms < 500 && errorRate < 0.01,
      };
    } finally {
      await host.stop();
    }
  } finally {
    await stack.close();
  }
}

export function renderStartModeMarkdown(report: StartModeReport): string {
  return [
    `Run ${report.startedAt}: \`${report.command}\`: \`npm start\` in PostgreSQL mode (one process), ` +
      `the mixed workload at ${report.connections} connections for ${report.durationSeconds} s. ` +
      `Bar: p95 < 500 ms, errors < 1%: **${report.passed ? 'met' : 'missed'}**.`,
    '',
    '| req/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/req (process) | CPU ms/req (redis) | RSS MB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${report.requestsPerSecond} | ${report.p50Ms} | ${report.p95Ms} | ${report.p99Ms} | ${report.errors} of ${report.requests} | ${report.cpuMsPerRequest.host} | ${report.cpuMsPerRequest.redis} | ${report.rssMb} |`,
  ].join('\n');
}
