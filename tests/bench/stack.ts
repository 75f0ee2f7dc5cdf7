/**
 * The system under test, each part in its own process: the four subgraphs (production settings,
 * a fresh PostgreSQL database, a private Redis, the upstream emulators), and in front of them the
 * targets the bench compares (./targets.ts). Also what the measurements read: each process's
 * CPU time and RSS from /proc, the PostgreSQL backends serving the bench's database included.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { Redis } from 'ioredis';
import {
  createTestDatabase,
  freePort,
  productionServiceEnv,
  startPrivateRedis,
  testAdminUrl,
  type PrivateRedis,
  type TestDatabase,
} from '@traveloure/testing';

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export const subgraphNames = ['trip', 'ai', 'search', 'notification'] as const;
export type SubgraphName = (typeof subgraphNames)[number];

/** A process the bench started and measures. */
export interface BenchProcess {
  label: string;
  pid: number;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** CPU time (ms, user + system) of a process so far; 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
  } catch {
    return 0;
  }
}

/** Resident set size (MB) of a process; 0 once it is gone. */
export function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface SpawnOptions {
  env: Record<string, string>;
  /** Ready when stdout prints `listening on <url>` (targets), or when GET `readyUrl` is 200. */
  readyUrl?: string;
  timeoutMs?: number;
}

/** `node --import tsx <file>` (the process itself, not a wrapper, so its pid is what we measure). */
export async function spawnNode(label: string, file: string, options: SpawnOptions): Promise<BenchProcess> {
  // BENCH_CPU_PROF=<folder>: every service writes a V8 CPU profile there when it stops.
  // (one folder per process: the loader's worker thread writes a profile of its own).
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.BENCH_CPU_PROF, label.replace(/\W+/g, '-'))}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', file], {
    cwd: repositoryRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${label} exited (${code}) while starting:\n${stderr}`))),
  );
  let url: string;
  // Generous: on a busy machine a process takes a while to load its TypeScript.
  const timeout = options.timeoutMs ?? Number(process.env.BENCH_START_TIMEOUT_MS ?? 180_000);
  const deadline = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`${label} not ready after ${timeout} ms:\n${stderr}`)),
      timeout,
    ).unref(),
  );
  const lines = createInterface({ input: child.stdout! });
  try {
    if (options.readyUrl) {
      // Services log every request on stdout: read and drop it so the pipe never fills.
      lines.on('line', () => {});
      const readyUrl = options.readyUrl;
      const poll = (async () => {
        for (;;) {
          const ok = await fetch(readyUrl)
            .then((response) => response.ok)
            .catch(() => false);
          if (ok) return readyUrl;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      url = await Promise.race([poll, exited, deadline]);
    } else {
      const listening = new Promise<string>((resolve) => {
        lines.on('line', (line) => {
          const match = /^listening on (\S+)/.exec(line);
          if (match) resolve(match[1]!);
        });
      });
      url = await Promise.race([listening, exited, deadline]);
    }
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exited.catch(() => {});
  return {
    label,
    pid: child.pid!,
    url,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** One line of JSON a helper process prints when it is up (the upstream emulators). */
async function spawnJsonLine(label: string, file: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: repositoryRoot,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${label} exited (${code})`)));
  });
  lines.on('line', () => {});
  return { child, value: JSON.parse(first) as any };
}

export interface Stack {
  database: TestDatabase;
  redis: PrivateRedis;
  redisPid: number;
  upstreams: BenchProcess;
  subgraphs: Record<SubgraphName, BenchProcess>;
  /** What points the subgraphs at the upstream emulators (LLM_*, AMADEUS_*). */
  upstreamEnv: Record<string, string>;
  /** Environment every service of ours runs with (production). */
  baseEnv: Record<string, string>;
  jwtSecret: string;
  signingSecret: string;
  /** PIDs of the PostgreSQL backends connected to the bench's database now. */
  postgresBackends(): Promise<number[]>;
  close(): Promise<void>;
}

export async function startStack(
  log: (line: string) => void,
  options: { subgraphs?: boolean; env?: Record<string, string> } = {},
): Promise<Stack> {
  const database = await createTestDatabase('bench');
  const redis = await startPrivateRedis();
  const closers: (() => Promise<void>)[] = [() => redis.stop(), () => database.drop()];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => {});
  };
  try {
    const info = new Redis(redis.url, { lazyConnect: true });
    await info.connect();
    const redisPid = Number(/process_id:(\d+)/.exec(await info.info('server'))?.[1]);
    info.disconnect();

    const jwtSecret = randomBytes(24).toString('hex');
    const signingSecret = randomBytes(24).toString('hex');
    const baseEnv: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...productionServiceEnv({
        databaseUrl: database.url,
        redisUrl: redis.url,
        jwtSecret,
        signingSecret,
        logLevel: process.env.BENCH_LOG_LEVEL,
      }),
      ...options.env,
    };
    const upstreamsStarted = await spawnJsonLine('upstreams', 'tests/bench/targets/upstreams.ts', {
      PATH: baseEnv.PATH!,
    });
    const upstreamsInfo = upstreamsStarted.value as {
      amadeus: { url: string; clientId: string; clientSecret: string };
      llm: { url: string; apiKey: string };
    };
    const upstreams: BenchProcess = {
      label: 'upstreams',
      pid: upstreamsStarted.child.pid!,
      url: upstreamsInfo.llm.url,
      child: upstreamsStarted.child,
      stop: async () => {
        if (upstreamsStarted.child.exitCode !== null) return;
        const gone = new Promise((resolve) => upstreamsStarted.child.once('exit', resolve));
        upstreamsStarted.child.kill('SIGKILL');
        await gone;
      },
    };
    closers.push(() => upstreams.stop());

    const perService: Record<SubgraphName, Record<string, string>> = {
      trip: {},
      ai: {
        LLM_BASE_URL: upstreamsInfo.llm.url,
        LLM_API_KEY: upstreamsInfo.llm.apiKey,
        LLM_MODEL: 'emulated-model',
      },
      search: {
        AMADEUS_HOST: upstreamsInfo.amadeus.url,
        AMADEUS_CLIENT_ID: upstreamsInfo.amadeus.clientId,
        AMADEUS_CLIENT_SECRET: upstreamsInfo.amadeus.clientSecret,
      },
      notification: {},
    };
    const upstreamEnv = Object.assign({}, ...Object.values(perService)) as Record<string, string>;
    const subgraphs = {} as Record<SubgraphName, BenchProcess>;
    // Side by side: each migrates only its own schema on start. (`subgraphs: false`: the caller
    // hosts them, as `npm start` does.)
    await Promise.all(
      (options.subgraphs === false ? [] : subgraphNames).map(async (name) => {
        const port = await freePort();
        const started = await spawnNode(name, `subgraphs/${name}/src/index.ts`, {
          env: {
            ...baseEnv,
            ...perService[name],
            [`${name.toUpperCase()}_PORT`]: String(port),
            // Production serves /metrics on a listener of its own (9464 by default): one each.
            METRICS_PORT: String(await freePort()),
          },
          readyUrl: `http://127.0.0.1:${port}/health/ready`,
        });
        started.url = `http://127.0.0.1:${port}/graphql`;
        subgraphs[name] = started;
        closers.push(() => started.stop());
        log(`  ${name} subgraph pid ${started.pid} on ${started.url}`);
      }),
    );
    const datname = database.name;
    const admin = new pg.Client({ connectionString: testAdminUrl });
    await admin.connect();
    closers.push(() => admin.end());
    return {
      database,
      redis,
      redisPid,
      upstreams,
      subgraphs,
      upstreamEnv,
      baseEnv,
      jwtSecret,
      signingSecret,
      postgresBackends: async () => {
        const { rows } = await admin.query<{ pid: number }>(
          'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [datname],
        );
        return rows.map((row) => row.pid);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
