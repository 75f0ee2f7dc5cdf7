import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';

/**
 * PGlite is one database inside one process: a second process opening the same folder neither
 * sees what the first one writes nor is seen by it, and both writing may damage the folder. So
 * the process that opens an embedded data folder holds a lock file beside it, naming itself, and
 * every other one (npm run seed, migrate, worker, apikey; a second npm start) is refused with
 * the same message. Written here rather than taken from a lock library: the lock must say who
 * holds it (for that message), and must not be lost while PGlite blocks the event loop for a
 * long statement, which lock files kept fresh by timers (proper-lockfile) would be.
 */
export interface EmbeddedLockHolder {
  pid: number;
  /** How the holder was started, e.g. `npm start`. */
  command: string;
  since: string;
}

export class EmbeddedDatabaseBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: EmbeddedLockHolder,
  ) {
    super(
      `The embedded database in ${dataDir} is open in another process: ${holder.command} (pid ${holder.pid}, since ${holder.since}).\n` +
        'PGlite serves one process at a time: this command would not see that process’s data, nor it this one’s.\n' +
        'Stop that process (Ctrl-C in its terminal), run this command, then start it again; ' +
        'or use PostgreSQL (DATABASE_URL), which any number of processes share.',
    );
    this.name = 'EmbeddedDatabaseBusyError';
  }
}

/** Beside the folder, not in it: PGlite owns the folder's contents. */
export function embeddedLockPath(dataDir: string): string {
  const folder = resolve(dataDir);
  return resolve(dirname(folder), `${basename(folder)}.lock`);
}

/** How this process was started, in the words its user typed. */
function commandOfThisProcess(): string {
  const npmScript = process.env.npm_lifecycle_event;
  if (npmScript === 'start') return 'npm start';
  if (npmScript) return `npm run ${npmScript}`;
  const script = process.argv[1] ? relative(process.cwd(), process.argv[1]) : '';
  return `node ${script}`.trim();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): EmbeddedLockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as EmbeddedLockHolder;
    return Number.isInteger(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** The live process (other than this one) that holds `dataDir`, if any. */
export function embeddedDatabaseHolder(dataDir: string): EmbeddedLockHolder | undefined {
  if (dataDir.startsWith('memory://')) return undefined;
  const holder = readHolder(embeddedLockPath(dataDir));
  if (!holder || holder.pid === process.pid || !isAlive(holder.pid)) return undefined;
  return holder;
}

/** Throws EmbeddedDatabaseBusyError when another live process holds `dataDir`. */
export function assertEmbeddedDatabaseFree(dataDir: string): void {
  const holder = embeddedDatabaseHolder(dataDir);
  if (holder) throw new EmbeddedDatabaseBusyError(dataDir, holder);
}

const held = new Map<string, () => void>();

/**
 * Takes the lock of `dataDir` for this process (a no-op for `memory://` and when already held),
 * or throws EmbeddedDatabaseBusyError. A lock left by a process that died is taken over. Returns
 * the release, which also runs when the process exits.
 */
export function acquireEmbeddedLock(dataDir: string): () => void {
  if (dataDir.startsWith('memory://')) return () => {};
  const path = embeddedLockPath(dataDir);
  const existing = held.get(path);
  if (existing) return existing;
  mkdirSync(dirname(path), { recursive: true });
  const holder: EmbeddedLockHolder = {
    pid: process.pid,
    command: commandOfThisProcess(),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      // 'wx': created only if absent, atomically, so two processes starting together cannot both win.
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(holder));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        const current = readHolder(path);
        if (current && current.pid !== process.pid) throw new EmbeddedDatabaseBusyError(dataDir, current);
        throw error;
      }
      const current = readHolder(path);
      if (current && current.pid !== process.pid && isAlive(current.pid)) {
        throw new EmbeddedDatabaseBusyError(dataDir, current);
      }
      // Left by a process that is gone (killed, crashed), or by this one: take it over.
      unlinkSync(path);
    }
  }
  const release = () => {
    process.removeListener('exit', release);
    held.delete(path);
    try {
      if (readHolder(path)?.pid === process.pid) unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', release);
  held.set(path, release);
  return release;
}
