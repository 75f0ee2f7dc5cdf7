/**
 * `npm run backup -- [options]`: a consistent snapshot of the database with pg_dump, in its custom
 * format (compressed, restorable in parallel, one schema or table at a time with pg_restore).
 *
 *   --database-url URL   the database to dump (default: DATABASE_URL)
 *   --out FILE           where to write it (default: backups/<database>-<UTC time>.dump)
 *   --schema NAME        only this schema (repeatable: trip, ai, search, notification, gateway);
 *                        default: the whole database, every schema and its migration history
 *   --compress N         compression level 0-9 (pg_dump's default when not given)
 *
 * pg_dump reads in one repeatable-read transaction, so the file is one moment of the database:
 * a trip and its outbox events are in it together or not at all. Nothing is locked beyond what
 * reads take; the services keep running. See docs/operations.md (Backups and recovery).
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { archiveContents, connectionArgs, pgTool, runTool } from './pg-tools.ts';

export interface BackupOptions {
  databaseUrl: string;
  out?: string;
  schemas?: string[];
  compress?: number;
}

export async function backup(options: BackupOptions) {
  const database = decodeURIComponent(new URL(options.databaseUrl).pathname.slice(1)) || 'postgres';
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = resolve(options.out ?? `backups/${database}-${stamp}.dump`);
  mkdirSync(dirname(out), { recursive: true });
  const connection = connectionArgs(options.databaseUrl);
  const args = ['--format=custom', `--file=${out}`, ...connection.args];
  for (const schema of options.schemas ?? []) args.push(`--schema=${schema}`);
  if (options.compress !== undefined) args.push(`--compress=${options.compress}`);
  await runTool(pgTool('pg_dump'), args, connection.env);
  // Read the archive back: a file pg_restore cannot list is no backup.
  const contents = await archiveContents(out);
  return { file: out, bytes: statSync(out).size, ...contents };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      out: { type: 'string' },
      schema: { type: 'string', multiple: true },
      compress: { type: 'string' },
    },
  });
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('backup: set DATABASE_URL or pass --database-url');
    process.exit(2);
  }
  try {
    const result = await backup({
      databaseUrl,
      out: values.out,
      schemas: values.schema,
      compress: values.compress === undefined ? undefined : Number(values.compress),
    });
    console.log(
      `backup: ${result.file} (${result.bytes} bytes; schemas ${result.schemas.join(', ') || 'none'}; ${result.tables} tables)`,
    );
  } catch (error) {
    console.error(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
