/**
 * `npm run codegen`: typed resolvers for every subgraph (codegen.ts), then the persisted
 * operations manifest from schema/operations (scripts/build-persisted-operations.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (command: string, args: string[]) =>
  execFileSync(command, args, { stdio: 'inherit', shell: false });

run('npx', ['graphql-codegen', '--config', 'codegen.ts']);
if (existsSync('scripts/build-persisted-operations.ts')) {
  run('npx', ['tsx', 'scripts/build-persisted-operations.ts', ...process.argv.slice(2)]);
}
