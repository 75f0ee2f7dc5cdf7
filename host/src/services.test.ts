import { describe, expect, it } from 'vitest';
import { readSubgraphRegistry } from '@traveloure/platform';
import { loadServiceDefinitions, serviceModules, serviceNames } from './services.ts';

describe('the hosted subgraphs', () => {
  it('are the subgraphs of schema/supergraph.yaml, each with a module to load', () => {
    expect(Object.keys(serviceModules).sort()).toEqual(
      readSubgraphRegistry()
        .map(({ name }) => name)
        .sort(),
    );
    expect(serviceNames).toEqual(readSubgraphRegistry().map(({ name }) => name));
  });

  it("load each one's ServiceDefinition under its registered name, and refuse a name not registered", async () => {
    const definitions = await loadServiceDefinitions();
    expect(definitions.map(({ name }) => name)).toEqual(serviceNames);
    await expect(loadServiceDefinitions(['planned'])).rejects.toThrow(
      /planned is not a subgraph of schema\/supergraph.yaml/,
    );
  });
});
