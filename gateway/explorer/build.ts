/**
 * Bundles the schema explorer (GraphiQL from npm) into gateway/explorer/dist with esbuild:
 *   npm run build:explorer -w @traveloure/gateway
 * The gateway also builds it on first start when dist/ is missing, so `npm start` just works.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

export const explorerRoot = dirname(fileURLToPath(import.meta.url));
export const explorerDist = join(explorerRoot, 'dist');
const sources = join(explorerRoot, 'src');

function newestSource(): number {
  return Math.max(...readdirSync(sources).map((file) => statSync(join(sources, file)).mtimeMs));
}

export function explorerIsBuilt(): boolean {
  const bundle = join(explorerDist, 'explorer.js');
  return (
    existsSync(bundle) &&
    existsSync(join(explorerDist, 'explorer.css')) &&
    statSync(bundle).mtimeMs >= newestSource()
  );
}

export async function buildExplorer(options: { minify?: boolean } = {}) {
  // Build into a private folder and rename: parallel starts never see a half-written bundle.
  const staging = resolve(explorerRoot, `.dist-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging, { recursive: true });
  try {
    await build({
      entryPoints: { explorer: join(sources, 'main.tsx') },
      outdir: staging,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['chrome110', 'firefox110', 'safari16'],
      jsx: 'automatic',
      minify: options.minify ?? true,
      sourcemap: false,
      legalComments: 'none',
      loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl' },
      define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
      logLevel: 'warning',
    });
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
