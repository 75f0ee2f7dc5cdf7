/**
 * `npm run build`: compiles every service entry point to one JavaScript bundle (esbuild), so
 * production runs `node gateway/dist/main.js`, not TypeScript through a loader:
 *
 *   gateway/dist/main.js                     the gateway
 *   subgraphs/<name>/dist/index.js           each subgraph
 *   subgraphs/notification/dist/worker.js    the notification worker
 *   host/dist/migrate.js                     every schema's migrations (the release's Job)
 *   host/dist/start.js                       everything in one process (`npm start`'s host)
 *
 * Only the project's own code is bundled. npm packages stay in node_modules, imported from the
 * exact file Node would have picked for the source module (a workspace can hold its own copy of
 * a package, e.g. packages/platform/node_modules/ipaddr.js), so what runs is what was tested.
 * Files a module reads beside itself (schema.graphql, seed CSVs, the supergraph) are found where
 * they are in the repository: the bundle keeps each module's own `import.meta.url`.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Source entry point → bundle, both relative to the repository root. */
export const entryPoints: Record<string, string> = {
  'gateway/src/main.ts': 'gateway/dist/main.js',
  'subgraphs/trip/src/index.ts': 'subgraphs/trip/dist/index.js',
  'subgraphs/ai/src/index.ts': 'subgraphs/ai/dist/index.js',
  'subgraphs/search/src/index.ts': 'subgraphs/search/dist/index.js',
  'subgraphs/notification/src/index.ts': 'subgraphs/notification/dist/index.js',
  'subgraphs/notification/src/worker.ts': 'subgraphs/notification/dist/worker.js',
  'host/src/migrate.ts': 'host/dist/migrate.js',
  'host/src/start.ts': 'host/dist/start.js',
};

const builtins = new Set(builtinModules);

/** `./x` or `../x` with forward slashes: an import specifier from `fromDir` to `file`. */
function specifier(fromDir: string, file: string) {
  const path = relative(fromDir, file).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

function serviceBundling(entry: string, outfile: string): Plugin {
  const outDir = dirname(outfile);
  return {
    name: 'service-bundling',
    setup(pluginBuild) {
      // npm packages: external, by the path of the file that resolution found from the importer.
      pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.resolving) return undefined;
        const name = args.path.startsWith('node:') ? args.path.slice(5) : args.path;
        if (builtins.has(name) || builtins.has(name.split('/')[0]!))
          return { path: args.path, external: true };
        if (args.path.startsWith('@traveloure/')) return undefined;
        const found = await pluginBuild.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { resolving: true },
        });
        if (found.errors.length) return { errors: found.errors };
        return { path: specifier(outDir, found.path), external: true };
      });
      // The project's modules keep their own location as import.meta.url; the entry keeps the
      // bundle's, so `import.meta.url === file://argv[1]` still tells it runs as the main module.
      pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (args.path === entry) return { contents: source, loader: 'ts' };
        const here = `new URL(${JSON.stringify(specifier(outDir, args.path))}, import.meta.url).href`;
        return { contents: source.replace(/\bimport\.meta\.url\b/g, here), loader: 'ts' };
      });
    },
  };
}

/**
 * How one entry point is bundled: the service bundles here, and the command bundles that
 * scripts/run-command.mjs compiles on first use.
 */
export function bundleOptions(source: string, entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outdir: dirname(outfile),
    entryNames: basename(outfile, '.js'),
    // Each entry's dynamic imports stay chunks loaded on demand: without splitting, esbuild
    // hoists every npm import of a lazily loaded module to the top of the bundle, so a bad
    // setting or `--help` would wait for Apollo, BullMQ and PGlite to load first.
    splitting: true,
    // Beside the entry: the paths written into every chunk (npm packages, import.meta.url)
    // are relative to the entry's folder.
    chunkNames: `${basename(outfile, '.js')}.[name]-[hash]`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    // Node's own conditions only: esbuild would add `module`, which Node never reads, and
    // hand a package's ES copy to code that Node gives the CommonJS one (graphql).
    conditions: [],
    sourcemap: 'linked',
    // Stack traces and logs keep the project's names.
    keepNames: true,
    logLevel: 'warning',
    plugins: [serviceBundling(entry, outfile)],
    banner: { js: `// Built by scripts/build.ts from ${source}; run with node --enable-source-maps.` },
  };
}

export async function buildServices(options: { root?: string } = {}) {
  const root = options.root ?? repositoryRoot;
  const targets = Object.entries(entryPoints).map(([source, target]) => ({
    source,
    entry: join(root, source),
    outfile: join(root, target),
  }));
  // A bundle left from an entry point that is gone must not be shipped.
  for (const outDir of new Set(targets.map(({ outfile }) => dirname(outfile)))) {
    await rm(outDir, { recursive: true, force: true });
  }
  await Promise.all(
    targets.map(({ source, entry, outfile }) => build(bundleOptions(source, entry, outfile))),
  );
  return targets.map(({ outfile }) => outfile);
}

/**
 * Bundles one command (scripts/run-command.mjs) to `outfile`; returns the repository files it
 * was built from, relative to the root, so the caller knows when the bundle is out of date.
 */
export async function buildCommand(
  source: string,
  outfile: string,
  root = repositoryRoot,
): Promise<string[]> {
  const result = await build({ ...bundleOptions(source, join(root, source), outfile), metafile: true });
  return Object.keys(result.metafile.inputs)
    .map((input) => relative(root, resolve(input)))
    .filter((input) => !input.startsWith(`..${sep}`) && !input.split(sep).includes('node_modules'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const built = await buildServices();
  console.log(`built ${built.length} bundles:`);
  for (const file of built) console.log(`  ${relative(repositoryRoot, file)}`);
}
