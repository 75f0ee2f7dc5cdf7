import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url));

/**
 * The path of a binary the operations tests need. Missing, the test fails (it is never skipped)
 * and says what to install: `scripts/prepare-tests.sh` installs both with apt.
 */
export function requireBinary(name: string, debianPackage: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (!found) {
    throw new Error(
      `${name} is not installed: \`apt-get install -y ${debianPackage}\` (scripts/prepare-tests.sh does it)`,
    );
  }
  return found;
}

/** Runs a tool and returns its output; a non-zero exit fails with everything it printed. */
export function run(binary: string, args: string[], cwd = deployDir): string {
  try {
    return execFileSync(binary, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${binary} ${args.join(' ')} failed:\n${failed.stdout ?? ''}${failed.stderr ?? failed.message}`,
    );
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const promqlWords = new Set([
  'by',
  'without',
  'and',
  'or',
  'unless',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'irate',
  'increase',
  'delta',
  'histogram_quantile',
  'min_over_time',
  'max_over_time',
  'avg_over_time',
  'label_values',
  'le',
]);

/** The metric names a PromQL expression reads (recording rules, written `a:b:c`, left out). */
export function metricNamesIn(expression: string): string[] {
  const bare = expression
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '')
    // Grafana's label_values(metric, label): the second argument is a label.
    .replace(/label_values\(([^,)]+),[^)]*\)/g, '$1')
    .replace(/\$\w+/g, '');
  const names = bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [
    ...new Set(names.filter((name) => !name.includes(':') && !promqlWords.has(name) && !/^\d/.test(name))),
  ];
}
