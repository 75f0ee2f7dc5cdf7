/**
 * The list of subgraphs, written once in schema/supergraph.yaml (rover's format: name, routing
 * URL, schema file) and read from there by everything that needs it: codegen, the drift check,
 * composition, the all-in-one host and the gateway's URL settings. Adding a subgraph is one entry
 * there (and a package under subgraphs/ that follows the layout below).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const subgraphRegistryPath = resolve(repositoryRoot, 'schema/supergraph.yaml');

export interface SubgraphEntry {
  /** Its name in the supergraph; also its package (`@traveloure/<name>`) and PostgreSQL schema. */
  name: string;
  /** Where it answers by default (the gateway's fallback when the URL variable is unset). */
  routingUrl: string;
  /** Its SDL, from the repository root: `<directory>/src/schema.graphql`. */
  schemaFile: string;
  /** Its package folder, from the repository root (subgraphs/trip). */
  directory: string;
  /** The variable that tells the gateway where it answers instead: TRIP_URL. */
  urlVariable: string;
}

const registryFile = z.object({
  subgraphs: z.record(
    z.string().regex(/^[a-z][a-z0-9-]*$/, 'a subgraph name is lower case (letters, digits, -)'),
    z.object({
      routing_url: z.url(),
      schema: z.object({
        file: z.string().regex(/\/src\/schema\.graphql$/, 'must be <package>/src/schema.graphql'),
      }),
    }),
  ),
});

export class SubgraphRegistryError extends Error {
  override name = 'SubgraphRegistryError';
}

/** The subgraphs in registry order, which is also the order they start and migrate in. */
export function readSubgraphRegistry(path = subgraphRegistryPath): SubgraphEntry[] {
  const parsed = registryFile.safeParse(parseYaml(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new SubgraphRegistryError(`${path} is not a valid subgraph registry:\n${issues.join('\n')}`);
  }
  return Object.entries(parsed.data.subgraphs).map(([name, entry]) => {
    const schemaFile = relative(repositoryRoot, resolve(dirname(path), entry.schema.file));
    return {
      name,
      routingUrl: entry.routing_url,
      schemaFile,
      directory: dirname(dirname(schemaFile)),
      urlVariable: `${name.toUpperCase().replaceAll('-', '_')}_URL`,
    };
  });
}

/** The registered subgraphs whose package is in this checkout (a partial checkout may lack some). */
export function presentSubgraphs(path = subgraphRegistryPath): SubgraphEntry[] {
  return readSubgraphRegistry(path).filter((entry) => existsSync(resolve(repositoryRoot, entry.schemaFile)));
}
