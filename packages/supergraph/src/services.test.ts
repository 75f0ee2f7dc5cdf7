import { describe, expect, it } from 'vitest';
import { loadServiceDefinitions, loadServiceManifests } from './services.ts';

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
    }
  }, 60_000);
});
