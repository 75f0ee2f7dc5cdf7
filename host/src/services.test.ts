import { describe, expect, it } from 'vitest';
import { readSubgraphRegistry } from '@traveloure/platform';
import { loadServiceDefinitions, loadServiceManifests, serviceModules, serviceNames } from './services.ts';

describe('service manifests (what npm start and migrate load before the services)', () => {
  it('are the definitions’ own config schemas, schemas, port variables and migrations', async () => {
    const [manifests, definitions] = await Promise.all([loadServiceManifests(), loadServiceDefinitions()]);
    expect(manifests.map((manifest) => manifest.name)).toEqual(
      definitions.map((definition) => definition.name),
    );
    for (const [index, manifest] of manifests.entries()) {
      const definition = definitions[index]!;
      expect(manifest.schema, manifest.name).toBe(definition.schema);
      expect(manifest.portVariable, manifest.name).toBe(definition.portVariable);
      expect(manifest.configSchema, manifest.name).toBe(definition.configSchema);
      expect(await manifest.loadMigrations(), manifest.name).toBe(definition.migrations);
      // npm run seed loads the seed alone: it must be the very step the service runs.
      expect(await manifest.loadSeed(), manifest.name).toBe(definition.seed);
    }
  }, 60_000);
});

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
