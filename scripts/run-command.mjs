// @ts-check
/**
 * `npm run migrate | seed | apikey | token`: runs a command from a JavaScript bundle of its
 * TypeScript source, compiled on first use and again whenever a file it was built from changes.
 *
 *   node scripts/run-command.mjs <source.ts> [arguments...]
 *
 * Why not `node --import tsx <source.ts>`: the loader and its module hooks cost a command about
 * a second and a half before it does anything (measured: `npm run apikey -- list` 3.8 s through
 * tsx, under 1 s from the bundle), and a command should answer in under two. The bundles live in
 * node_modules/.cache/traveloure-commands/<name>/<build>/ with `current.json` naming the newest
 * build and its inputs; a build never overwrites another, so a command still running keeps the
 * chunks it loads lazily. This file is JavaScript because it must start without a loader.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [source, ...args] = process.argv.slice(2);
if (!source) {
  console.error('usage: node scripts/run-command.mjs <source.ts> [arguments...]');
  process.exit(2);
}
const name = basename(source, '.ts');
const cacheDir = join(root, 'node_modules', '.cache', 'traveloure-commands', name);
const manifestPath = join(cacheDir, 'current.json');
/** Besides the sources: a changed install moves the npm files a bundle imports by path. */
const alwaysInputs = ['package.json', 'package-lock.json'];
/** Older builds are removed after this long, when no command can still be running from them. */
const keepOldBuildsMs = 60 * 60 * 1000;

/** @returns {{ outfile: string } | undefined} the current build, when no input is newer than it */
function currentBuild() {
  try {
    /** @type {{ build: string, builtAtMs: number, inputs: string[] }} */
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const stale = [...alwaysInputs, ...manifest.inputs].some(
      (input) => statSync(join(root, input)).mtimeMs > manifest.builtAtMs,
    );
    return stale ? undefined : { outfile: join(cacheDir, manifest.build, `${name}.js`) };
  } catch {
    // No build yet, or an input is gone (renamed, deleted): build again.
    return undefined;
  }
}

async function compile() {
  // The compiler is TypeScript: load it through tsx, for this once, then drop the hooks.
  const { register } = await import('tsx/esm/api');
  const unregister = register();
  try {
    const { buildCommand } = await import('./build.ts');
    const build = `${Date.now().toString(36)}-${process.pid}`;
    const outfile = join(cacheDir, build, `${name}.js`);
    // Taken before the build reads anything, so an edit made during it still counts as newer.
    const builtAtMs = Date.now();
    const inputs = await buildCommand(source, outfile, root);
    mkdirSync(cacheDir, { recursive: true });
    const temporary = `${manifestPath}.${process.pid}`;
    writeFileSync(temporary, JSON.stringify({ build, builtAtMs, inputs }, null, 2));
    renameSync(temporary, manifestPath);
    removeOldBuilds(build);
    return { outfile };
  } finally {
    await unregister();
  }
}

function removeOldBuilds(keep) {
  for (const entry of readdirSync(cacheDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep) continue;
    const folder = join(cacheDir, entry.name);
    if (Date.now() - statSync(folder).mtimeMs > keepOldBuildsMs)
      rmSync(folder, { recursive: true, force: true });
  }
}

const { outfile } = currentBuild() ?? (await compile());
// The command sees itself as the main module (`import.meta.url === file://argv[1]`) with its
// own arguments, as if node had been started on it.
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
