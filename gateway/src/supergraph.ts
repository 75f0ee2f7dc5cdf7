import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const defaultSupergraphPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../schema/supergraph.graphql',
);

export function readSupergraph(path = defaultSupergraphPath): string {
  return readFileSync(path, 'utf8');
}

/** Subgraph names and routing URLs as the composed supergraph records them (join__graph). */
export function subgraphsOf(supergraphSdl: string): { name: string; url: string }[] {
  const graphs: { name: string; url: string }[] = [];
  const pattern = /@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]+)"\)/g;
  for (const match of supergraphSdl.matchAll(pattern)) graphs.push({ name: match[1]!, url: match[2]! });
  return graphs;
}
