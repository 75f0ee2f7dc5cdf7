/**
 * `npm run backup` and `npm run restore` against real PostgreSQL: a database migrated and seeded
 * as production would be (every schema, the trip outbox with published and pending events), dumped,
 * restored into an empty database, and compared table by table, row by row, sequence by sequence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createDatabase, migrateSchema } from '@traveloure/platform';
import { createTestDatabase, type TestDatabase } from '@traveloure/platform/testing';
import { loadServiceDefinitions } from '@traveloure/supergraph';
import { repositoryRoot } from '../../scripts/build.ts';

const run = promisify(execFile);
const schemas = ['trip', 'ai', 'search', 'notification', 'gateway'];

/** `npm run <script> -- args` as an operator types it, with DATABASE_URL pointing at `url`. */
function npmRun(script: string, args: string[], url: string) {
  return run('npm', ['run', '--silent', script, '--', ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', NODE_ENV: 'development' },
    timeout: 120_000,
  });
}

async function query<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Every table's row count and a digest of all its rows, every sequence's position. Materialized
 * views are left out: derived data, which the restore refreshes.
 */
async function snapshot(url: string, only = schemas) {
  const tables = await query<{ name: string }>(
    url,
    `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1) and c.relkind = 'r' order by 1`,
    [only],
  );
  const result: Record<string, { rows: number; digest: string | null } | number> = {};
  for (const { name } of tables) {
    const [row] = await query<{ rows: number; digest: string | null }>(
      url,
      `select count(*)::int as rows, md5(string_agg(t::text, E'\\n' order by t::text)) as digest from ${name} t`,
    );
    result[name] = row!;
  }
  const sequences = await query<{ name: string; last_value: string | null }>(
    url,
    `select format('%I.%I', schemaname, sequencename) as name, last_value::text from pg_sequences
      where schemaname = any($1) order by 1`,
    [only],
  );
  for (const sequence of sequences) result[`sequence ${sequence.name}`] = Number(sequence.last_value ?? 0);
  return result;
}

describe('npm run backup / npm run restore', () => {
  const folder = mkdtempSync(join(tmpdir(), 'traveloure-backup-'));
  const databases: TestDatabase[] = [];
  let source: TestDatabase;
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    source = await createTestDatabase('backup_source');
    databases.push(source);
    // Migrated and seeded by the project's own commands: demo users and trips, whose creation
    // wrote their events to the trip outbox.
    await npmRun('seed', [], source.url);
    // Some events relayed already, some still waiting: both must come back as they were.
    await query(
      source.url,
      `update trip.outbox set published_at = now(), attempts = 1
        where id in (select id from trip.outbox order by created_at, id limit 3)`,
    );
    before = await snapshot(source.url);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(databases.map((database) => database.drop()));
    rmSync(folder, { recursive: true, force: true });
  });

  it('restores every row, the outbox and the migration history into an empty database', async () => {
    const outbox = await query<{ pending: number; published: number }>(
      source.url,
      `select count(*) filter (where published_at is null)::int as pending,
              count(*) filter (where published_at is not null)::int as published from trip.outbox`,
    );
    expect(outbox[0]!.pending).toBeGreaterThan(0);
    expect(outbox[0]!.published).toBe(3);
    for (const schema of schemas) {
      expect(
        Object.keys(before).some((name) => name.startsWith(`${schema}.`)),
        schema,
      ).toBe(true);
    }

    const file = join(folder, 'whole.dump');
    const backup = await npmRun('backup', ['--out', file], source.url);
    expect(backup.stdout).toContain(`backup: ${file}`);
    // The command line never carries the password: the URL's goes through PGPASSWORD.
    expect(backup.stdout + backup.stderr).not.toMatch(/postgres:\/\/[^@\s]*:[^@\s]*@/);

    const target = await createTestDatabase('backup_target');
    databases.push(target);
    const restored = await npmRun('restore', [file], target.url);
    // Both report the same tables: every table and partition, migration tables included.
    const [, dumped] = /; (\d+) tables\)/.exec(backup.stdout) ?? [];
    expect(restored.stdout).toContain(`(${dumped} tables)`);

    expect(await snapshot(target.url)).toEqual(before);
    // Materialized views come back too, refreshed from the restored rows.
    const views = `select schemaname, matviewname from pg_matviews where schemaname = any($1) order by 1, 2`;
    expect(await query(target.url, views, [schemas])).toEqual(await query(source.url, views, [schemas]));
    // The pending events are there for the relay to publish, in their order.
    const pending = `select id, event_type, payload from trip.outbox where published_at is null order by created_at, id`;
    expect(await query(target.url, pending)).toEqual(await query(source.url, pending));

    // The migration history came along: the release migrating on start finds nothing to do.
    const handle = createDatabase<any>({ service: 'restored', url: target.url });
    try {
      for (const definition of await loadServiceDefinitions()) {
        expect(
          await migrateSchema(handle.db, definition.schema, definition.migrations),
          definition.schema,
        ).toEqual([]);
      }
    } finally {
      await handle.close();
    }
  });

  it('refuses to restore over a database that has the schemas, unless told to replace them', async () => {
    const file = join(folder, 'again.dump');
    await npmRun('backup', ['--out', file], source.url);
    const target = await createTestDatabase('backup_occupied');
    databases.push(target);
    await npmRun('restore', [file], target.url);
    // Someone writes after the first restore; a second plain restore must not touch it.
    await query(target.url, `delete from trip.outbox where published_at is not null`);
    const changed = await snapshot(target.url);

    const refused = await npmRun('restore', [file], target.url).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(/already has schema .*trip.*--clean/);
    expect(await snapshot(target.url)).toEqual(changed);

    await npmRun('restore', [file, '--clean'], target.url);
    expect(await snapshot(target.url)).toEqual(before);
  });

  it('backs up and restores one schema alone', async () => {
    const file = join(folder, 'trip.dump');
    const backup = await npmRun('backup', ['--out', file, '--schema', 'trip'], source.url);
    expect(backup.stdout).toContain('schemas trip;');
    const target = await createTestDatabase('backup_trip_only');
    databases.push(target);
    await npmRun('restore', [file], target.url);
    const restored = await snapshot(target.url);
    expect(restored).toEqual(await snapshot(source.url, ['trip']));
    expect(Object.keys(restored).every((name) => /^(sequence )?trip\./.test(name))).toBe(true);
  });
});
