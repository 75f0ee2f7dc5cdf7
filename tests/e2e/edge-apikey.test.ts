/**
 * `npm run apikey` as an operator runs it: create shows the key once, list never shows it,
 * revoke stops it, a bad scope exits with a message; in embedded mode it will not open a folder
 * another process (npm start) holds. Real PostgreSQL (a fresh database).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '@traveloure/platform/testing';
import { acquireEmbeddedLock } from '@traveloure/platform/embedded-lock';
import { findActiveApiKey, hashApiKey, type GatewayDatabase } from '@traveloure/gateway/edge/index';
import { gatewayDb } from './edge-fixture.ts';

const root = resolve(import.meta.dirname, '../..');

let database: TestDatabase;
let db: Kysely<GatewayDatabase>;

function apikey(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolveRun) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/apikey.ts', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env } },
      (error, stdout, stderr) => resolveRun({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  database = await createTestDatabase('edge_apikey_cli');
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('npm run apikey', () => {
  it('creates a key shown once, lists it without the secret, and revokes it by prefix', async () => {
    const env = { DATABASE_URL: database.url };
    const created = await apikey(
      ['create', '--owner', 'Acme Travel', '--scopes', 'search,catalog', '--rate-limit', '50'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const key = /^\s+(tvl_\S+)$/m.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    expect(created.stdout).toMatch(/Shown once/);
    expect(created.stdout).toContain('scopes: catalog, search; rate limit: 50 per 60 s');

    db = gatewayDb(database.url);
    const record = await findActiveApiKey(db, key!);
    expect(record).toMatchObject({
      owner: 'Acme Travel',
      scopes: ['catalog', 'search'],
      rateLimit: 50,
      revokedAt: null,
    });
    const stored = await db.selectFrom('gateway.api_keys').selectAll().executeTakeFirstOrThrow();
    expect(stored.key_hash).toBe(hashApiKey(key!));
    expect(JSON.stringify(stored)).not.toContain(key);

    const listed = await apikey(['list'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(record!.prefix);
    expect(listed.stdout).toContain('Acme Travel');
    expect(listed.stdout).not.toContain(key);

    const revoked = await apikey(['revoke', record!.prefix], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`revoked ${record!.prefix} \\(Acme Travel\\)`));
    expect(await findActiveApiKey(db, key!)).toBeUndefined();
    const row = await db
      .selectFrom('gateway.api_keys')
      .select('revoked_at')
      .where('id', '=', record!.id)
      .executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeInstanceOf(Date);
  });

  it('refuses a bad scope, and will not open the embedded database another process holds', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'apikey-embedded-')), 'pglite');
    // This test process stands for a running `npm start`: it holds the folder's lock.
    const release = acquireEmbeddedLock(dataDir);
    try {
      const [result, badScope] = await Promise.all([
        apikey(['create', '--owner', 'X', '--scopes', 'search'], { PGLITE_DATA_DIR: dataDir }),
        apikey(['create', '--owner', 'X', '--scopes', 'search,everything'], { DATABASE_URL: database.url }),
      ]);
      expect(badScope).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/unknown scope\(s\) everything; known: catalog, search/),
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`The embedded database in ${dataDir} is open in another process: `);
      expect(result.stderr).toContain(`(pid ${process.pid}, since `);
      expect(result.stderr).toContain('Stop that process (Ctrl-C in its terminal), run this command');
      expect(result.stdout).not.toMatch(/tvl_/);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      release();
      rmSync(resolve(dataDir, '..'), { recursive: true, force: true });
    }
  });
});
