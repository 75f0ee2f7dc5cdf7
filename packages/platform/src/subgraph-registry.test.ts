import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  presentSubgraphs,
  readSubgraphRegistry,
  repositoryRoot,
  SubgraphRegistryError,
  subgraphRegistryPath,
} from './subgraph-registry.ts';

describe('the subgraph registry (schema/supergraph.yaml)', () => {
  it('lists every subgraph with its package, schema, routing URL and URL variable', () => {
    const written = parseYaml(readFileSync(subgraphRegistryPath, 'utf8')) as {
      subgraphs: Record<string, { routing_url: string }>;
    };
    const entries = readSubgraphRegistry();
    expect(entries.map(({ name }) => name)).toEqual(Object.keys(written.subgraphs));
    for (const entry of entries) {
      expect(entry.routingUrl).toBe(written.subgraphs[entry.name]!.routing_url);
      expect(entry.schemaFile).toBe(`${entry.directory}/src/schema.graphql`);
      expect(entry.urlVariable).toBe(`${entry.name.toUpperCase()}_URL`);
      const manifest = JSON.parse(
        readFileSync(resolve(repositoryRoot, entry.directory, 'package.json'), 'utf8'),
      );
      expect(manifest.name).toBe(`@traveloure/${entry.name}`);
    }
    expect(presentSubgraphs()).toEqual(entries);
  });

  it('refuses a malformed registry, naming the file and the entry', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'registry-')), 'supergraph.yaml');
    writeFileSync(
      path,
      'subgraphs:\n  trip:\n    routing_url: not a url\n    schema:\n      file: trip.graphql\n',
    );
    expect(() => readSubgraphRegistry(path)).toThrow(SubgraphRegistryError);
    expect(() => readSubgraphRegistry(path)).toThrow(
      new RegExp(`${path}[^]*subgraphs\\.trip\\.routing_url[^]*subgraphs\\.trip\\.schema\\.file`),
    );
  });

  it('leaves out of presentSubgraphs an entry whose package is not checked out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-'));
    const path = join(dir, 'supergraph.yaml');
    writeFileSync(
      path,
      [
        'subgraphs:',
        '  trip:',
        '    routing_url: http://localhost:4001/graphql',
        `    schema: { file: ${resolve(repositoryRoot, 'subgraphs/trip/src/schema.graphql')} }`,
        '  planned:',
        '    routing_url: http://localhost:4009/graphql',
        `    schema: { file: ${resolve(repositoryRoot, 'subgraphs/planned/src/schema.graphql')} }`,
      ].join('\n'),
    );
    expect(readSubgraphRegistry(path).map(({ name }) => name)).toEqual(['trip', 'planned']);
    expect(presentSubgraphs(path).map(({ name, urlVariable }) => [name, urlVariable])).toEqual([
      ['trip', 'TRIP_URL'],
    ]);
  });
});
