/**
 * Composes schema/supergraph.graphql from the subgraph schemas listed in schema/supergraph.yaml.
 *   npm run compose            write the file
 *   npm run compose -- --check exit 1 when the committed file differs from a fresh composition
 */
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSubgraphRegistry, repositoryRoot } from '@traveloure/platform/subgraph-registry';

const outputPath = resolve(repositoryRoot, 'schema/supergraph.graphql');

export function composeSupergraph(): string {
  const services = readSubgraphRegistry().flatMap(({ name, routingUrl, schemaFile }) => {
    const file = resolve(repositoryRoot, schemaFile);
    if (!existsSync(file)) {
      console.warn(`compose: ${name} has no schema yet (${file}); left out`);
      return [];
    }
    return [{ name, url: routingUrl, typeDefs: parse(readFileSync(file, 'utf8')) }];
  });
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(
      'Composition failed:\n' + result.errors.map((error) => `  - ${error.message}`).join('\n'),
    );
  }
  for (const hint of result.hints ?? []) console.warn(`hint: ${hint.definition.code}: ${hint.message}`);
  return result.supergraphSdl + '\n';
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const sdl = composeSupergraph();
    if (process.argv.includes('--check')) {
      const committed = existsSync(outputPath) ? readFileSync(outputPath, 'utf8') : '';
      if (committed !== sdl) {
        console.error('schema/supergraph.graphql is out of date: run `npm run compose` and commit it.');
        process.exit(1);
      }
      console.log('schema/supergraph.graphql is up to date.');
    } else {
      writeFileSync(outputPath, sdl);
      console.log(`wrote ${outputPath}`);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
