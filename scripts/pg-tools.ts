/** pg_dump, pg_restore and psql, as `npm run backup` and `npm run restore` call them. */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * PG_BIN_DIR's copy of a PostgreSQL client program, else the PATH's. pg_dump must be at least
 * the server's major version; Debian installs each version under /usr/lib/postgresql/<major>/bin.
 */
export function pgTool(name: 'pg_dump' | 'pg_restore' | 'psql'): string {
  if (process.env.PG_BIN_DIR) return join(process.env.PG_BIN_DIR, name);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const newest = readdirSync(debian)
      .filter((entry) => /^\d+$/.test(entry) && existsSync(join(debian, entry, 'bin', name)))
      .sort((a, b) => Number(b) - Number(a))[0];
    if (newest) return join(debian, newest, 'bin', name);
  }
  return name;
}

/**
 * `--dbname` without the password, which goes in PGPASSWORD instead: a command line is visible to
 * every user of the machine (ps), a process's environment is not.
 */
export function connectionArgs(databaseUrl: string) {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  const env: Record<string, string> = password ? { PGPASSWORD: password } : {};
  return { args: [`--dbname=${url.toString()}`], env };
}

export async function runTool(file: string, args: string[], env: Record<string, string> = {}) {
  try {
    return await exec(file, args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });
  } catch (error) {
    const failure = error as { stderr?: string; message: string; code?: string };
    if (failure.code === 'ENOENT')
      throw new Error(`${file} not found (install the PostgreSQL client, or set PG_BIN_DIR)`);
    // The tool's own words, without the command line (it holds the database URL, password included).
    throw new Error(failure.stderr?.trim() || failure.message.split('\n')[0]!);
  }
}

/** The schemas and tables a custom-format archive holds, from pg_restore's table of contents. */
export async function archiveContents(file: string) {
  const { stdout } = await runTool(pgTool('pg_restore'), ['--list', file]);
  const entries = stdout.split('\n').filter((line) => line && !line.startsWith(';'));
  // "<id>; <oid> <oid> SCHEMA - trip postgres" and "<id>; <oid> <oid> TABLE trip trips postgres".
  const schemas = entries.flatMap((line) => /^\d+; \d+ \d+ SCHEMA - (\S+)/.exec(line)?.[1] ?? []);
  // Tables only: not their data entries, nor the ATTACH of each partition to its parent.
  const tables = entries.filter((line) => /^\d+; \d+ \d+ TABLE (?!DATA |ATTACH )/.test(line)).length;
  return { schemas, tables };
}
