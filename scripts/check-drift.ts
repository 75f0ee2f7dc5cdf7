/**
 * Fails when generated files differ from what their sources produce: typed resolvers and the
 * persisted-operations manifest (`npm run codegen`) and schema/supergraph.graphql (`npm run compose`).
 */
import { execFileSync } from 'node:child_process';
import { presentSubgraphs } from '@traveloure/platform/subgraph-registry';

const generated = [
  ...presentSubgraphs().map(({ directory }) => `${directory}/src/__generated__`),
  'schema/operations/persisted-operations.json',
  'schema/supergraph.graphql',
];

execFileSync('npm', ['run', '-s', 'codegen'], { stdio: 'inherit' });
execFileSync('npm', ['run', '-s', 'compose'], { stdio: 'inherit' });
const changed = execFileSync('git', ['status', '--porcelain', '--', ...generated], {
  encoding: 'utf8',
}).trim();
if (changed) {
  console.error(
    'Generated files are out of date; run `npm run codegen && npm run compose` and commit:\n' + changed,
  );
  console.error(execFileSync('git', ['diff', '--stat', '--', ...generated], { encoding: 'utf8' }));
  process.exit(1);
}
console.log('Generated files are up to date.');
