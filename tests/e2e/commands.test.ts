import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The npm commands beside `npm start` (migrate, seed, apikey, token) as `npm run` starts them:
 * scripts/run-command.mjs, from a bundle compiled on first use. They answer in under two
 * seconds because they load only what they use; these tests hold both halves of that.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
const temporary = mkdtempSync(join(tmpdir(), 'commands-'));
afterAll(() => rmSync(temporary, { recursive: true, force: true }));

const manifestOf = (name: string) =>
  JSON.parse(
    readFileSync(join(root, 'node_modules/.cache/traveloure-commands', name, 'current.json'), 'utf8'),
  ) as { build: string; builtAtMs: number; inputs: string[] };

/**
 * Runs a command as `npm run` does, recording every module file it loads (a resolve hook in
 * the child), so a test can say what a command did not load.
 */
async function command(source: string, args: string[], env: Record<string, string> = {}) {
  const loaded = join(temporary, `loaded-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  const hook = `data:text/javascript,${encodeURIComponent(
    `import { register } from 'node:module';
     register('data:text/javascript,' + encodeURIComponent(\`
       import { appendFileSync } from 'node:fs';
       export async function resolve(specifier, context, next) {
         const found = await next(specifier, context);
         appendFileSync(${JSON.stringify(loaded)}, found.url + '\\\\n');
         return found;
       }\`));`,
  )}`;
  const started = Date.now();
  const { stdout, stderr } = await run(
    process.execPath,
    ['--import', hook, 'scripts/run-command.mjs', source, ...args],
    {
      cwd: root,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? tmpdir(), LOG_FORMAT: 'json', ...env },
    },
  );
  const elapsedMs = Date.now() - started;
  let modules: string[] = [];
  try {
    modules = readFileSync(loaded, 'utf8').trim().split('\n');
  } catch {
    // nothing resolved through the hook
  }
  return { stdout, stderr, elapsedMs, modules };
}

/** npm packages that make up the servers, which no command that only reads or writes rows needs. */
const serverPackages = ['@apollo/server', '@apollo/gateway', 'bullmq', '@sentry/node', 'express', 'graphql/'];
const packagesIn = (modules: string[]) => {
  // The hook saw the command's imports (the database layer at least), so an empty answer means
  // nothing of the servers was loaded, not that nothing was recorded.
  expect(modules.some((url) => url.includes('/node_modules/kysely/'))).toBe(true);
  return serverPackages.filter((name) => modules.some((url) => url.includes(`/node_modules/${name}`)));
};

describe('npm run migrate, seed, apikey and token', () => {
  it('compile once, reuse the bundle, and compile again when a file it was built from changes', async () => {
    await command('scripts/token.ts', ['--role', 'ADMIN']);
    const first = manifestOf('token');
    expect(first.inputs).toContain('scripts/token.ts');
    expect(first.inputs).toContain('scripts/command-line.ts');

    const again = await command('scripts/token.ts', ['--role', 'ADMIN']);
    expect(again.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(manifestOf('token').build).toBe(first.build);

    // An edit to a file the bundle came from: the next run compiles again.
    const later = new Date(Date.now() + 1_000);
    utimesSync(join(root, 'scripts/command-line.ts'), later, later);
    const edited = await command('scripts/token.ts', ['--role', 'ADMIN']);
    expect(edited.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(manifestOf('token').build).not.toBe(first.build);
  }, 120_000);

  it('load neither Apollo, BullMQ, Sentry nor express: migrate, seed and apikey touch the database only', async () => {
    const env = { PGLITE_DATA_DIR: join(temporary, 'pglite') };
    const migrate = await command('host/src/migrate.ts', [], env);
    expect(migrate.stdout).toContain('applied');
    expect(packagesIn(migrate.modules)).toEqual([]);

    const seed = await command('host/src/seed.ts', [], env);
    expect(seed.stdout).toContain('trip: seed loaded');
    expect(seed.stdout).toContain('ai: seed loaded');
    expect(packagesIn(seed.modules)).toEqual([]);

    const apikey = await command('scripts/apikey.ts', ['list'], env);
    expect(apikey.stdout.trim()).toBe('no API keys');
    expect(packagesIn(apikey.modules)).toEqual([]);
  }, 180_000);

  it('answer an unknown option with the usage, never a stack', async () => {
    for (const source of ['scripts/token.ts', 'scripts/apikey.ts']) {
      const failed = await command(source, ['--colour']).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code, source).toBe(2);
      expect(failed?.stderr, source).toMatch(/^Unknown option '--colour'/);
      expect(failed?.stderr, source).toContain('usage:');
      expect(failed?.stderr, source).not.toMatch(/^\s+at /m);
    }
  }, 60_000);

  it('answer in under two seconds once compiled', async () => {
    await command('scripts/token.ts', ['--role', 'TRAVELER']);
    const timed = await command('scripts/token.ts', ['--role', 'TRAVELER']);
    // Alone on a quiet machine about 0.3 s (docs/operations.md); the margin is for a loaded CI.
    expect(timed.elapsedMs).toBeLessThan(2_000);
  }, 60_000);
});
