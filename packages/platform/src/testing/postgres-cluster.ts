import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from './redis-server.ts';
import type { TestDatabase } from './postgres.ts';

const run = promisify(execFile);

export interface PrivatePostgres {
  port: number;
  /** Superuser URL of the cluster's `postgres` database. */
  adminUrl: string;
  dataDir: string;
  /** A fresh database on this cluster (dropped by its drop(), or with the cluster). */
  createDatabase(label: string): Promise<TestDatabase>;
  /**
   * Stops the server. `immediate` is a crash (no checkpoint: recovery replays the WAL on start),
   * `fast` a clean shutdown that ends every session.
   */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops and removes the cluster and its files. */
  close(): Promise<void>;
}

/** The directory holding initdb/pg_ctl: PG_BIN_DIR, else Debian's newest, else the PATH. */
function postgresBinDir(): string | undefined {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return undefined;
  const versions = readdirSync(debian)
    .filter((entry) => /^\d+$/.test(entry) && existsSync(join(debian, entry, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(debian, versions[0], 'bin') : undefined;
}

/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl under /tmp, on a free port), for tests
 * that stop, crash and restart the database server without touching the shared one. PostgreSQL
 * refuses to run as root, so as root the cluster belongs to (and runs as) the `postgres` user.
 */
export async function startPostgresCluster(
  options: { settings?: Record<string, string> } = {},
): Promise<PrivatePostgres> {
  return runPrivateServer({
    settings: options.settings,
    create: (dataDir, exec) =>
      exec('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']),
  });
}

/**
 * A streaming replica of `primary` (a cluster from startPostgresCluster): `pg_basebackup -R`
 * copies its data directory and writes the standby settings (primary_conninfo, standby.signal),
 * then the copy starts as a hot standby on a port of its own. initdb's `-A trust` already lets
 * 127.0.0.1 connect for replication, and wal_level defaults to `replica`. The replica is
 * read-only: writes to it fail with SQLSTATE 25006.
 */
export async function startStreamingReplica(primary: PrivatePostgres): Promise<PrivatePostgres> {
  return runPrivateServer({
    settings: { hot_standby: 'on' },
    create: (dataDir, exec) =>
      exec('pg_basebackup', [
        '-h',
        '127.0.0.1',
        '-p',
        String(primary.port),
        '-U',
        'postgres',
        '-D',
        dataDir,
        '-R',
        '-X',
        'stream',
        '-c',
        'fast',
      ]),
  });
}

async function runPrivateServer(options: {
  settings?: Record<string, string>;
  /** Fills the (empty) data directory: initdb, or pg_basebackup for a replica. */
  create: (dataDir: string, exec: (name: string, args: string[]) => Promise<void>) => Promise<void>;
}): Promise<PrivatePostgres> {
  const binDir = postgresBinDir();
  const bin = (name: string) => (binDir ? join(binDir, name) : name);
  const asRoot = userInfo().uid === 0;
  const owner = process.env.PG_CLUSTER_USER ?? 'postgres';
  const command = (name: string, args: string[]) =>
    asRoot ? { file: 'runuser', args: ['-u', owner, '--', bin(name), ...args] } : { file: bin(name), args };
  const exec = async (name: string, args: string[]) => {
    const { file, args: full } = command(name, args);
    await run(file, full, { timeout: 60_000 });
  };

  const dataDir = mkdtempSync(join(tmpdir(), 'traveloure-pg-'));
  if (asRoot) {
    const ids = spawnSync('id', ['-u', owner], { encoding: 'utf8' });
    const groups = spawnSync('id', ['-g', owner], { encoding: 'utf8' });
    if (ids.status !== 0) throw new Error(`startPostgresCluster: no "${owner}" user to run PostgreSQL as`);
    chownSync(dataDir, Number(ids.stdout.trim()), Number(groups.stdout.trim()));
  }
  const port = await freePort();
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dataDir,
    max_connections: '50',
    shared_buffers: '16MB',
    ...options.settings,
  };
  const serverOptions = Object.entries({ port: String(port), ...settings })
    .map(([key, value]) => `-c ${key}=${value}`)
    .join(' ');
  let running = false;
  const stopNow = (mode: 'fast' | 'immediate') => {
    const { file, args } = command('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
    spawnSync(file, args, { stdio: 'ignore', timeout: 30_000 });
  };
  // A test runner that dies must not leave a postgres behind.
  const onExit = () => {
    if (running) stopNow('immediate');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const start = async () => {
    await exec('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      join(dataDir, 'server.log'),
      '-o',
      serverOptions,
      '-w',
      'start',
    ]);
    running = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    await exec('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
    running = false;
  };

  try {
    await options.create(dataDir, exec);
    await start();
  } catch (error) {
    onExit();
    process.off('exit', onExit);
    throw error;
  }
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const admin = async <T>(work: (client: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  return {
    port,
    adminUrl,
    dataDir,
    async createDatabase(label) {
      const name = `traveloure_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
      await admin((client) => client.query(`create database "${name}"`));
      return {
        name,
        url: `postgres://postgres@127.0.0.1:${port}/${name}`,
        drop: async () => {
          if (running)
            await admin((client) => client.query(`drop database if exists "${name}" with (force)`));
        },
      };
    },
    stop,
    start,
    async close() {
      await stop('fast').catch(() => stopNow('immediate'));
      rmSync(dataDir, { recursive: true, force: true });
      process.off('exit', onExit);
    },
  };
}
