import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startPrivateRedis, testAdminUrl, type PrivateRedis } from '@traveloure/platform/testing';
import { embeddedLockPath } from '@traveloure/platform/embedded-lock';
import { gatewayMigrations } from '@traveloure/gateway/edge/migrations/index';
import { loadServiceManifests, presentServiceNames } from './services.ts';

/**
 * `npm start` and the commands beside it, run as a person runs them (real processes, real
 * PostgreSQL, a private Redis), with settings a newcomer gets wrong: what they print, and how fast.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entries = {
  start: 'host/src/start.ts',
  migrate: 'host/src/migrate.ts',
  seed: 'host/src/seed.ts',
  apikey: 'scripts/apikey.ts',
  worker: 'subgraphs/notification/src/worker.ts',
};
const temporary: string[] = [];
afterAll(() => {
  for (const folder of temporary) rmSync(folder, { recursive: true, force: true });
});

function dataDir() {
  const folder = mkdtempSync(join(tmpdir(), 'startup-'));
  temporary.push(folder);
  return join(folder, 'pglite');
}

/** Free ports for the gateway and every subgraph, so runs never meet the shared defaults. */
async function portsEnv() {
  const names = [
    'GATEWAY_PORT',
    'TRIP_PORT',
    'AI_PORT',
    'SEARCH_PORT',
    'NOTIFICATION_PORT',
    'WORKER_HEALTH_PORT',
  ];
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, String(await freePort())])));
}

interface Running {
  child: ChildProcess;
  output: () => string;
  lines: () => Record<string, any>[];
  exited: Promise<{ code: number | null; elapsedMs: number }>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

function run(entry: string, env: Record<string, string>, args: string[] = []): Running {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      SEARCH_WARM_INTERVAL_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit').then(([code]) => ({
    code: code as number | null,
    elapsedMs: Date.now() - started,
  }));
  return {
    child,
    output: () => output,
    lines: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, any>),
    exited,
    waitFor: async (pattern, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`exited before ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

const stackLine = /^\s+at .+\(?.+:\d+:\d+\)?$/m;

describe('npm start with bad settings', () => {
  it('checks every service’s settings first: a bad port is named in a moment, before anything migrates', async () => {
    const folder = dataDir();
    const started = run(entries.start, {
      ...(await portsEnv()),
      PGLITE_DATA_DIR: folder,
      GATEWAY_PORT: 'abc',
      TRIP_PORT: '70000',
    });
    const { code, elapsedMs } = await started.exited;
    expect(code).toBe(1);
    expect(started.output()).toContain(
      'GATEWAY_PORT (gateway): must be a port number (0 to 65535) (got "abc")',
    );
    expect(started.output()).toContain('TRIP_PORT (trip): must be a port number (0 to 65535) (got "70000")');
    expect(started.output()).not.toMatch(/migration/);
    // Nothing was opened: the embedded folder was never created.
    expect(existsSync(folder)).toBe(false);
    // About half a second on an idle machine; bounded loosely for a busy one.
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('names DATABASE_URL and the server when nothing answers there, without a stack', async () => {
    const port = await freePort();
    const started = run(entries.start, {
      ...(await portsEnv()),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/traveloure`,
    });
    const { code } = await started.exited;
    expect(code).toBe(1);
    expect(started.output().trim()).toBe(
      `DATABASE_URL: no PostgreSQL answers at 127.0.0.1:${port} (connection refused). Start PostgreSQL there, fix DATABASE_URL, or unset DATABASE_URL to run on the embedded database.`,
    );
    expect(started.output()).not.toMatch(stackLine);
  });

  it('gives the createdb command when the database does not exist', async () => {
    const admin = new URL(testAdminUrl);
    const database = `traveloure_missing_${process.pid}`;
    const url = new URL(testAdminUrl);
    url.pathname = `/${database}`;
    const started = run(entries.migrate, { DATABASE_URL: url.toString() });
    const { code } = await started.exited;
    expect(code).toBe(1);
    expect(started.output()).toContain(
      `DATABASE_URL: the database "${database}" does not exist on ${admin.hostname}:${admin.port || 5432}. Create it with: createdb -h ${admin.hostname} -p ${admin.port || 5432} -U ${admin.username} ${database}`,
    );
    expect(started.output()).not.toMatch(stackLine);
  });
});

describe('npm run migrate', () => {
  it('says what it applied, then that nothing is pending', async () => {
    const folder = dataDir();
    const manifests = await loadServiceManifests();
    const known =
      (
        await Promise.all(
          manifests.map(async (manifest) => Object.keys(await manifest.loadMigrations()).length),
        )
      ).reduce((sum, count) => sum + count, 0) + Object.keys(gatewayMigrations).length;
    const schemas = [...presentServiceNames(), 'gateway'];

    const first = run(entries.migrate, { PGLITE_DATA_DIR: folder, LOG_FORMAT: 'json' });
    expect((await first.exited).code).toBe(0);
    const firstSaid = first.lines().map((line) => line.msg);
    expect(firstSaid).toContain(`applied ${known} migrations in ${schemas.join(', ')}`);
    for (const schema of schemas)
      expect(firstSaid.some((msg) => msg.startsWith(`${schema}: applied `))).toBe(true);

    const second = run(entries.migrate, { PGLITE_DATA_DIR: folder, LOG_FORMAT: 'json' });
    expect((await second.exited).code).toBe(0);
    expect(second.lines().map((line) => line.msg)).toEqual([
      `nothing pending: ${schemas.join(', ')} are up to date (${known} migrations)`,
    ]);
  });
});

describe('embedded mode is one process', () => {
  let server: Running;
  let folder: string;
  let ports: Record<string, string>;
  beforeAll(async () => {
    folder = dataDir();
    ports = await portsEnv();
    // LOG_FORMAT unset and stdout a pipe: JSON, as a log collector needs it.
    server = run(entries.start, { ...ports, PGLITE_DATA_DIR: folder });
    await server.waitFor(/Traveloure supergraph ready/, 180_000);
    await server.waitFor(/"gateway ready at /, 10_000);
  }, 200_000);
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });

  it('writes one summary line per service: name, URL, mode, database, Redis', () => {
    const said = server.lines().map((line) => line.msg as string);
    for (const name of [...presentServiceNames(), 'gateway']) {
      const port = ports[name === 'gateway' ? 'GATEWAY_PORT' : `${name.toUpperCase()}_PORT`];
      expect(said).toContain(
        `${name} ready at http://127.0.0.1:${port}/graphql: embedded, database PGlite in ${folder}, Redis not set (caches, limits and queues in process)`,
      );
    }
  });

  it('refuses seed, migrate, apikey and worker with the same message while npm start holds the folder', async () => {
    const refusals = await Promise.all(
      [[entries.seed], [entries.migrate], [entries.apikey, 'list'], [entries.worker]].map(
        async ([entry, ...args]) => {
          const command = run(entry!, { ...ports, PGLITE_DATA_DIR: folder }, args);
          const { code, elapsedMs } = await command.exited;
          return { entry, code, elapsedMs, output: command.output().trim() };
        },
      ),
    );
    const message = refusals[0]!.output;
    expect(message).toMatch(
      new RegExp(
        `^The embedded database in ${folder} is open in another process: node ${entries.start} \\(pid ${server.child.pid}, since `,
      ),
    );
    expect(message).toContain(
      'Stop that process (Ctrl-C in its terminal), run this command, then start it again',
    );
    for (const refusal of refusals) {
      expect(refusal.code, refusal.entry).not.toBe(0);
      expect(refusal.output, refusal.entry).toBe(message);
      // Four at once on a busy machine; alone each is refused in about a second.
      expect(refusal.elapsedMs, refusal.entry).toBeLessThan(15_000);
    }
    // The running server is untouched.
    expect(server.child.exitCode).toBeNull();
  }, 60_000);

  it('lets them in once npm start has stopped', async () => {
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect(existsSync(embeddedLockPath(folder))).toBe(false);
    const migrate = run(entries.migrate, { PGLITE_DATA_DIR: folder, LOG_FORMAT: 'json' });
    expect((await migrate.exited).code).toBe(0);
    expect(migrate.lines().map((line) => line.msg)).toEqual([expect.stringMatching(/^nothing pending: /)]);
  }, 60_000);
});

describe('npm start while Redis goes away and comes back', () => {
  let redis: PrivateRedis;
  let server: Running;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    server = run(entries.start, { ...(await portsEnv()), PGLITE_DATA_DIR: dataDir(), REDIS_URL: redis.url });
    await server.waitFor(/Traveloure supergraph ready/, 180_000);
    await server.waitFor(/"gateway ready at /, 10_000);
  }, 200_000);
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    // stop() signals the server first, which throws when the test already stopped it.
    await redis?.stop().catch(() => {});
  });

  it('says once per service that it runs degraded, without stacks, and once that Redis is back', async () => {
    const where = `127.0.0.1:${redis.port}`;
    const services = [...presentServiceNames(), 'gateway'];
    const ready = server.lines().filter((line) => / ready at /.test(line.msg));
    for (const line of ready) expect(line.msg).toContain(`Redis ${where}`);

    const before = server.lines().length;
    const since = () => server.lines().slice(before);
    await redis.stop();
    const unreachable = () =>
      since().filter((line) => line.msg.startsWith(`Redis at ${where} is unreachable`));
    const deadline = Date.now() + 60_000;
    while (unreachable().length < services.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // ioredis retries every two seconds on each of a dozen connections: let it, for a while.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const outage = since();
    const seen = JSON.stringify(outage.map((line) => line.msg));
    expect(
      unreachable()
        .map((line) => line.subgraph)
        .sort(),
      seen,
    ).toEqual([...services].sort());
    for (const line of unreachable()) expect(line.msg).toMatch(/: running degraded: caches in process/);
    expect(outage.filter((line) => line.err !== undefined)).toEqual([]);
    expect(server.output().slice(server.output().indexOf(unreachable()[0]!.msg))).not.toMatch(/"stack"/);
    // What an outage adds to the log: the one line per service, and at most a line or two of
    // work that could not be done (the outbox relay's pass), not a line per reconnect attempt.
    expect(outage.length, seen).toBeLessThanOrEqual(services.length * 2);

    await redis.start();
    const back = () => since().filter((line) => line.msg.startsWith(`Redis at ${where} is back after `));
    const backBy = Date.now() + 60_000;
    while (back().length < services.length && Date.now() < backBy) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(
      back()
        .map((line) => line.subgraph)
        .sort(),
    ).toEqual([...services].sort());
  }, 90_000);
});

describe('log format of a real process', () => {
  it('is pretty at a terminal, JSON in a pipe', async () => {
    const folder = dataDir();
    // `script` gives the command a pseudo-terminal, as a person's shell does.
    const atTerminal = spawn(
      'script',
      ['-qec', `${process.execPath} --import tsx ${entries.migrate}`, '/dev/null'],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH!,
          HOME: process.env.HOME ?? tmpdir(),
          LOG_LEVEL: 'info',
          PGLITE_DATA_DIR: folder,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    atTerminal.stdout!.on('data', (chunk) => (output += chunk));
    const [code] = await once(atTerminal, 'exit');
    expect(code).toBe(0);
    // eslint-disable-next-line no-control-regex
    const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: migrate: applied \d+ migrations in /m);
    expect(plain).not.toMatch(/^\{"level"/m);

    const inPipe = run(entries.migrate, { PGLITE_DATA_DIR: folder });
    expect((await inPipe.exited).code).toBe(0);
    expect(inPipe.lines()).toEqual([
      expect.objectContaining({ level: 'info', msg: expect.stringMatching(/^nothing pending/) }),
    ]);
  }, 60_000);
});
