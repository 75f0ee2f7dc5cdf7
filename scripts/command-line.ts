import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Prints `message` (no stack: it is the caller's mistake, not ours) and exits with 2. */
export function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/**
 * The command's arguments, or its usage and exit code 2 for an unknown option or a missing
 * value (node's parser throws those with a stack); `--help` prints the usage and exits with 0.
 */
export function parseCommandLine<T extends ParseArgsConfig>(config: T, usage: string) {
  const options = { ...config.options, help: { type: 'boolean', short: 'h', default: false } } as const;
  let parsed;
  try {
    parsed = parseArgs({ ...config, options, strict: true });
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed as unknown as ReturnType<typeof parseArgs<T>>;
}
