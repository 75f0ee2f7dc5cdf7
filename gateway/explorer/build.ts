/**
 * Bundles the schema explorer (GraphiQL from npm, its plugins and the Monaco editor workers) into
 * gateway/explorer/dist with esbuild:
 *   npm run build:explorer -w @traveloure/gateway
 * The gateway also builds it on first start when dist/ is missing or stale, so `npm start` just
 * works. Everything the page loads comes from the gateway itself: no CDN, so it works offline
 * and under the gateway's strict Content-Security-Policy.
 */
import { build, type BuildOptions } from 'esbuild';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

export const explorerRoot = dirname(fileURLToPath(import.meta.url));
export const explorerDist = join(explorerRoot, 'dist');
const sources = join(explorerRoot, 'src');
const require = createRequire(join(explorerRoot, 'package.json'));

/**
 * Monaco runs its language services in web workers. GraphiQL's own setup modules load them from
 * a CDN or through a bundler plugin; here each is bundled as a classic worker script of its own
 * and served from /explorer/workers/ (see MonacoEnvironment in src/main.tsx).
 */
const workers = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};

/** The packages the bundle is made of: a different version on disk means the bundle is stale. */
const bundledPackages = ['graphiql', '@graphiql/react', '@graphiql/plugin-explorer', 'monaco-editor'];

function packageVersions(): Record<string, string> {
  return Object.fromEntries(
    bundledPackages.map((name) => {
      const manifest = require.resolve(`${name}/package.json`);
      return [name, (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version];
    }),
  );
}

function newestSource(): number {
  return Math.max(
    statSync(join(explorerRoot, 'build.ts')).mtimeMs,
    ...readdirSync(sources).map((file) => statSync(join(sources, file)).mtimeMs),
  );
}

export function explorerIsBuilt(): boolean {
  const bundle = join(explorerDist, 'explorer.js');
  const stamp = join(explorerDist, 'build.json');
  if (
    !existsSync(bundle) ||
    !existsSync(join(explorerDist, 'explorer.css')) ||
    !existsSync(stamp) ||
    Object.keys(workers).some((name) => !existsSync(join(explorerDist, 'workers', `${name}.js`)))
  ) {
    return false;
  }
  try {
    const built = JSON.parse(readFileSync(stamp, 'utf8')) as { packages?: Record<string, string> };
    if (JSON.stringify(built.packages) !== JSON.stringify(packageVersions())) return false;
  } catch {
    return false;
  }
  return statSync(bundle).mtimeMs >= newestSource();
}

export async function buildExplorer(options: { minify?: boolean } = {}) {
  // Build into a private folder and rename: parallel starts never see a half-written bundle.
  const staging = resolve(explorerRoot, `.dist-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging, { recursive: true });
  const common: BuildOptions = {
    bundle: true,
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    logLevel: 'warning',
  };
  try {
    await build({
      ...common,
      entryPoints: { explorer: join(sources, 'main.tsx') },
      outdir: staging,
      format: 'esm',
      jsx: 'automatic',
      loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl' },
    });
    await build({
      ...common,
      entryPoints: Object.fromEntries(
        Object.entries(workers).map(([name, module]) => [name, require.resolve(module)]),
      ),
      outdir: join(staging, 'workers'),
      // Classic workers: every browser the explorer targets runs them.
      format: 'iife',
    });
    writeFileSync(join(staging, 'build.json'), JSON.stringify({ packages: packageVersions() }, null, 2));
    rmSync(explorerDist, { recursive: true, force: true });
    try {
      renameSync(staging, explorerDist);
    } catch (error) {
      // Another process won the race; its bundle is the same.
      if (!existsSync(explorerDist)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  await buildExplorer();
  console.log(`explorer built into ${explorerDist} in ${Math.round(performance.now() - started)} ms`);
}
