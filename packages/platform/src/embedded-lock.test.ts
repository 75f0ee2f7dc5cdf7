import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acquireEmbeddedLock,
  EmbeddedDatabaseBusyError,
  embeddedDatabaseHolder,
  embeddedLockPath,
} from './embedded-lock.ts';

const folders: string[] = [];
function dataDir() {
  const folder = mkdtempSync(join(tmpdir(), 'embedded-lock-'));
  folders.push(folder);
  return join(folder, 'pglite');
}
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('the embedded data folder is held by one process', () => {
  it('names the live process that holds it, and refuses to take it', async () => {
    const dir = dataDir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      writeFileSync(
        embeddedLockPath(dir),
        JSON.stringify({ pid: holder.pid, command: 'npm start', since: '2026-01-01T00:00:00.000Z' }),
      );
      expect(embeddedDatabaseHolder(dir)).toMatchObject({ pid: holder.pid, command: 'npm start' });
      let refusal: unknown;
      try {
        acquireEmbeddedLock(dir);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(EmbeddedDatabaseBusyError);
      expect((refusal as Error).message).toContain(`npm start (pid ${holder.pid}`);
      expect((refusal as Error).message).toContain('Stop that process');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a lock left by a process that died, and gives it up on release', async () => {
    const dir = dataDir();
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(gone, 'exit');
    writeFileSync(
      embeddedLockPath(dir),
      JSON.stringify({ pid: gone.pid, command: 'npm start', since: '2026-01-01T00:00:00.000Z' }),
    );
    expect(embeddedDatabaseHolder(dir)).toBeUndefined();
    const release = acquireEmbeddedLock(dir);
    expect(JSON.parse(readFileSync(embeddedLockPath(dir), 'utf8')).pid).toBe(process.pid);
    // Taking it again in the same process is the same hold.
    expect(acquireEmbeddedLock(dir)).toBe(release);
    release();
    expect(existsSync(embeddedLockPath(dir))).toBe(false);
  });

  it('never locks a memory:// database', () => {
    acquireEmbeddedLock('memory://lock-test')();
    expect(embeddedDatabaseHolder('memory://lock-test')).toBeUndefined();
  });
});
