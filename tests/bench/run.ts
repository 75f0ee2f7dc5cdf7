/**
 * `npm run bench [-- name-filter]`: runs every tests/bench/*.bench.ts in its own process, one
 * after another (never in parallel: they would disturb each other), and prints their reports.
 * Benchmarks compare alternatives side by side within one run and report ratios, because
 * absolute figures on a shared machine mean little.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const directory = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(directory)
  .filter((file) => file.endsWith('.bench.ts') && (!filter || file.includes(filter)))
  .sort();

if (!files.length) {
  console.error(`no benchmark matches ${filter ?? '*'}`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(directory, file)], {
    stdio: 'inherit',
    env: { LOG_LEVEL: 'silent', ...process.env },
  });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
