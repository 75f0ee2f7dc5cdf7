/**
 * The image runs the bundles of `npm run build` with plain node. This builds them, runs the
 * release's migration bundle against a fresh database, starts the trip subgraph and the gateway
 * from their bundles in production settings (no TypeScript loader anywhere), and asks the gateway
 * a question the trip subgraph answers from PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import pg from 'pg';
import { createTestDatabase, freePort, type TestDatabase } from '@traveloure/platform/testing';
import { buildServices, entryPoints, repositoryRoot } from '../../scripts/build.ts';

const secrets = {
  GATEWAY_SIGNING_SECRET: 'compiled-test-gateway-signing-secret-0123456789',
  JWT_SECRET: 'compiled-test-jwt-secret-0123456789-0123456789',
};

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `node <bundle>` with only the variables given: no NODE_OPTIONS, so no loader can slip in. */
function runBundle(bundle: string, variables: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--enable-source-maps', join(repositoryRoot, bundle)], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...variables },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForHealth(url: string, running: Running) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && running.child.exitCode === null) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} never answered:\n${running.output().slice(-3000)}`);
}

/** Every file of the bundles: each entry and the chunks it loads on demand, beside it. */
function bundleFiles(): string[] {
  const folders = new Set(Object.values(entryPoints).map((bundle) => dirname(bundle)));
  return [...folders].flatMap((folder) =>
    readdirSync(join(repositoryRoot, folder))
      .filter((file) => file.endsWith('.js'))
      .map((file) => join(folder, file)),
  );
}

/** An entry's import of one of its own chunks (`./start.chunk-AB12CD34.js`). */
const isChunk = (specifier: string) => /^\.\/[\w-]+\.[\w-]+-[A-Z0-9]{8}\.js$/.test(specifier);

describe('compiled services (npm run build)', () => {
  let database: TestDatabase;
  const running: Running[] = [];

  beforeAll(async () => {
    await buildServices();
    database = await createTestDatabase('compiled');
  }, 120_000);

  afterAll(async () => {
    for (const { child } of running) if (child.exitCode === null) child.kill('SIGKILL');
    await database?.drop();
  });

  it('bundles import only JavaScript: npm packages from node_modules, no TypeScript source', () => {
    for (const bundle of bundleFiles()) {
      const code = readFileSync(join(repositoryRoot, bundle), 'utf8');
      const specifiers = [...code.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)]
        .map((match) => match[1]!)
        .filter((specifier) => !isChunk(specifier));
      for (const specifier of specifiers) {
        expect(specifier, bundle).not.toMatch(/\.ts$|^tsx|@traveloure\//);
        expect(specifier, bundle).toMatch(/^node:|^[a-z_]+$|node_modules\//);
      }
    }
  });

  it('bundles import only what `npm prune --omit=dev` keeps (the image has no dev dependencies)', () => {
    const lock = JSON.parse(readFileSync(join(repositoryRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const imported = new Set<string>();
    for (const bundle of bundleFiles()) {
      const code = readFileSync(join(repositoryRoot, bundle), 'utf8');
      for (const [, specifier] of code.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)) {
        if (isChunk(specifier!)) continue;
        const file = relative(repositoryRoot, resolve(dirname(join(repositoryRoot, bundle)), specifier!));
        // The package folder: the last node_modules/<name> or node_modules/@scope/<name> of the path.
        const [folder] = /^.*node_modules\/(?:@[^/]+\/)?[^/]+/.exec(file) ?? [];
        expect(folder, file).toBeDefined();
        imported.add(folder!);
      }
    }
    expect(imported.size).toBeGreaterThan(10);
    for (const folder of imported) {
      expect(lock.packages[folder], folder).toBeDefined();
      expect(lock.packages[folder]!.dev ?? false, `${folder} is a dev dependency`).toBe(false);
    }
  });

  it('load what they use when they use it: a bad setting is named before Apollo, BullMQ or PGlite load', async () => {
    const start = entryPoints['host/src/start.ts']!;
    // The entry itself imports no server package: those are in chunks, loaded after the checks.
    const entry = readFileSync(join(repositoryRoot, start), 'utf8');
    const eager = [...entry.matchAll(/^import\s[^;]*?from\s*"([^"]+)"/gm)].map((match) => match[1]!);
    for (const heavy of ['@apollo/server', '@apollo/gateway', 'bullmq', '@electric-sql/pglite', 'express'])
      expect(
        eager.filter((specifier) => specifier.includes(`node_modules/${heavy}/`)),
        heavy,
      ).toEqual([]);

    const started = Date.now();
    const badPort = runBundle(start, { GATEWAY_PORT: 'abc', PGLITE_DATA_DIR: '/nonexistent/never-opened' });
    running.push(badPort);
    expect(await badPort.exited).toBe(1);
    expect(badPort.output()).toContain('GATEWAY_PORT (gateway): must be a port number');
    // About 0.4 s alone (6.7 s when the bundle loaded everything first); the margin is for CI.
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('migrate, trip and the gateway run from their bundles and answer over HTTP', async () => {
    const production = { NODE_ENV: 'production', LOG_LEVEL: 'info', DATABASE_URL: database.url, ...secrets };

    const migrate = runBundle(entryPoints['host/src/migrate.ts']!, production);
    running.push(migrate);
    expect(await migrate.exited, migrate.output().slice(-3000)).toBe(0);
    expect(migrate.output()).toContain('"schema":"trip"');

    const [tripPort, tripMetricsPort, gatewayPort, gatewayMetricsPort, closedPort] = await Promise.all(
      [1, 2, 3, 4, 5].map(() => freePort()),
    );
    const trip = runBundle(entryPoints['subgraphs/trip/src/index.ts']!, {
      ...production,
      TRIP_PORT: String(tripPort),
      METRICS_PORT: String(tripMetricsPort),
    });
    running.push(trip);
    const closed = `http://127.0.0.1:${closedPort}/graphql`;
    const gateway = runBundle(entryPoints['gateway/src/main.ts']!, {
      ...production,
      GATEWAY_PORT: String(gatewayPort),
      METRICS_PORT: String(gatewayMetricsPort),
      TRIP_URL: `http://127.0.0.1:${tripPort}/graphql`,
      AI_URL: closed,
      SEARCH_URL: closed,
      NOTIFICATION_URL: closed,
    });
    running.push(gateway);

    await waitForHealth(`http://127.0.0.1:${tripPort}/health/ready`, trip);
    await waitForHealth(`http://127.0.0.1:${gatewayPort}/health`, gateway);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const stored = await client.query<{ code: string; name: string }>(
      'select code, name from trip.destinations order by code limit 1',
    );
    await client.end();
    const [destination] = stored.rows;
    expect(destination).toBeDefined();

    const response = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ destination(code: "${destination!.code}") { code name } }` }),
    });
    const body = (await response.json()) as any;
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(body.data.destination).toEqual(destination);

    // Production keeps /metrics off the service port, on its own listener.
    expect((await fetch(`http://127.0.0.1:${tripPort}/metrics`)).status).toBe(404);
    const metrics = await fetch(`http://127.0.0.1:${tripMetricsPort}/metrics`);
    expect(await metrics.text()).toContain('http_request_duration_seconds');

    for (const service of [gateway, trip]) {
      service.child.kill('SIGTERM');
      expect(await service.exited, service.output().slice(-2000)).toBe(0);
    }
  }, 120_000);
});
