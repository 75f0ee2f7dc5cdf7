/**
 * `npm start` as a new user runs it: a child process, no DATABASE_URL or REDIS_URL (embedded
 * PGlite and in-process stores), answering the README's first query over HTTP.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@traveloure/platform/testing';

const root = resolve(import.meta.dirname, '../..');

describe('npm start (embedded mode)', () => {
  let child: ChildProcess | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'traveloure-start-'));
  afterAll(async () => {
    try {
      if (child?.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts every service on PGlite and answers destinations, then stops cleanly on SIGTERM', async () => {
    const ports = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PGLITE_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      GATEWAY_PORT: String(ports[0]),
      TRIP_PORT: String(ports[1]),
      AI_PORT: String(ports[2]),
      SEARCH_PORT: String(ports[3]),
      NOTIFICATION_PORT: String(ports[4]),
    };
    // Its own process group, so SIGTERM reaches npm and the server as a terminal's Ctrl-C or a
    // container stop would, and nothing is left running after the test.
    child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));

    const deadline = Date.now() + 90_000;
    while (!output.includes('supergraph ready') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    }
    expect(output, output.slice(-3000)).toContain(
      `Traveloure supergraph ready (embedded): http://localhost:${ports[0]}/graphql`,
    );
    expect(output).toContain('embedded mode: PGlite');

    const response = await fetch(`http://127.0.0.1:${ports[0]}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ destinations(first: 3) { code name } }' }),
    });
    const body = (await response.json()) as any;
    expect(response.status).toBe(200);
    expect(body.errors).toBeUndefined();
    const codes = body.data.destinations.map((destination: any) => destination.code);
    expect(codes).toHaveLength(3);
    for (const code of codes) expect(code).toMatch(/^[A-Z]{3}$/);

    const exited = new Promise<number | null>((resolveExit) =>
      child!.once('exit', (code) => resolveExit(code)),
    );
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    // The server drains in-flight requests and closes its stores; nothing of the group outlives it.
    const groupAlive = () => {
      try {
        process.kill(-child!.pid!, 0);
        return true;
      } catch {
        return false;
      }
    };
    const stopDeadline = Date.now() + 20_000;
    while (groupAlive() && Date.now() < stopDeadline)
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    expect(groupAlive()).toBe(false);
    expect(output).toContain('"msg":"shutting down"');
    expect(output).not.toMatch(/"level":"(error|fatal)"/);
  }, 120_000);
});
