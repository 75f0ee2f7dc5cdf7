import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationOrder, presentSubgraphs, repositoryRoot } from '@traveloure/platform';
import { gatewayMigrations } from '@traveloure/gateway/edge/migrations/index';
import { loadServiceDefinitions } from './services.ts';

/**
 * Names recorded in databases before the scheme below: they stay as they are, since Kysely
 * refuses to run when a migration it once applied is missing (a rename would need every
 * database's bookkeeping rewritten first).
 */
const namedBeforeTheScheme = new Set([
  '2026-11-26-001-api-keys',
  '2026-11-27-002-retire-key-scopes',
  '2026-11-26T0900-ai-initial',
  '2026-11-27T0900-ai-trip-projection',
  '2026_11_26_001_notification',
  '2026-11-26T10-00-00-search-log',
  '2026-11-26T00-00-00-trip-core',
  '2026-11-26T00-01-00-trip-outbox',
  '2026-11-26T00-02-00-destination-popularity',
]);
/** How every new migration is named (docs/architecture.md): its UTC creation time, then what it does. */
const scheme = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-[a-z0-9]+(-[a-z0-9]+)*$/;

async function migrationsBySchema() {
  const definitions = await loadServiceDefinitions();
  return [
    ...definitions.map((definition) => ({
      schema: definition.schema,
      names: Object.keys(definition.migrations),
      folder: resolve(
        repositoryRoot,
        presentSubgraphs().find(({ name }) => name === definition.name)!.directory,
        'src/db/migrations',
      ),
    })),
    {
      schema: 'gateway',
      names: Object.keys(gatewayMigrations),
      folder: resolve(repositoryRoot, 'gateway/src/edge/migrations'),
    },
  ];
}

describe('migration names', () => {
  it('follow the scheme, except those applied before it', async () => {
    for (const { schema, names } of await migrationsBySchema()) {
      expect(
        names.filter((name) => !namedBeforeTheScheme.has(name) && !scheme.test(name)),
        schema,
      ).toEqual([]);
    }
  });

  it('are their files’ names, and run in the order they are listed', async () => {
    for (const { schema, names, folder } of await migrationsBySchema()) {
      const files = readdirSync(folder)
        .filter((file) => file.endsWith('.ts') && file !== 'index.ts' && !file.endsWith('.test.ts'))
        .map((file) => file.replace(/\.ts$/, ''));
      expect(files.sort(migrationOrder), schema).toEqual([...names].sort(migrationOrder));
      expect([...names].sort(migrationOrder), schema).toEqual(names);
    }
  });

  it('sort a new migration after every one applied before the scheme, in every schema', async () => {
    // Today's name in the scheme must run last, or Kysely would refuse it as out of order.
    const next = `${new Date().toISOString().slice(0, 19).replaceAll(':', '-')}-next-change`;
    expect(next).toMatch(scheme);
    for (const { schema, names } of await migrationsBySchema()) {
      expect([...names, next].sort(migrationOrder).at(-1), schema).toBe(next);
    }
  });
});
