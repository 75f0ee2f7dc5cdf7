import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { Migration } from 'kysely';
import type { ServiceDefinition } from '@traveloure/platform';

export const serviceNames = ['trip', 'ai', 'search', 'notification'] as const;
export type ServiceName = (typeof serviceNames)[number];

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

// Written out, not built from the name: a bundler follows only imports it can read, and the
// compiled image runs from bundles (scripts/build.ts).
const serviceModules: Record<ServiceName, () => Promise<Record<string, unknown>>> = {
  trip: () => import('@traveloure/trip/service'),
  ai: () => import('@traveloure/ai/service'),
  search: () => import('@traveloure/search/service'),
  notification: () => import('@traveloure/notification/service'),
};
const configModules: Record<ServiceName, () => Promise<Record<string, unknown>>> = {
  trip: () => import('@traveloure/trip/config'),
  ai: () => import('@traveloure/ai/config'),
  search: () => import('@traveloure/search/config'),
  notification: () => import('@traveloure/notification/config'),
};
const migrationModules: Record<ServiceName, () => Promise<Record<string, unknown>>> = {
  trip: () => import('@traveloure/trip/db/migrations/index'),
  ai: () => import('@traveloure/ai/db/migrations/index'),
  search: () => import('@traveloure/search/db/migrations/index'),
  notification: () => import('@traveloure/notification/db/migrations/index'),
};

function isServiceDefinition(value: unknown): value is ServiceDefinition<any> {
  return (
    typeof value === 'object' &&
    value !== null &&
    'create' in value &&
    'migrations' in value &&
    'schema' in value
  );
}

/** The subgraphs of `names` present in this checkout (subgraphs/<name>/src/service.ts). */
export function presentServiceNames(names: readonly ServiceName[] = serviceNames): ServiceName[] {
  return names.filter((name) => existsSync(resolve(repositoryRoot, 'subgraphs', name, 'src/service.ts')));
}

/** The subgraphs present in this checkout, each with its ServiceDefinition (src/service.ts). */
export async function loadServiceDefinitions(
  names: readonly ServiceName[] = serviceNames,
): Promise<ServiceDefinition<any>[]> {
  const definitions: ServiceDefinition<any>[] = [];
  for (const name of presentServiceNames(names)) {
    const module = await serviceModules[name]();
    const definition = Object.values(module).find(isServiceDefinition);
    if (!definition) throw new Error(`subgraphs/${name}/src/service.ts exports no ServiceDefinition`);
    definitions.push(definition);
  }
  return definitions;
}

function findExport<T>(module: Record<string, unknown>, suffix: string, file: string): T {
  const found = Object.entries(module).find(([name]) => name.endsWith(suffix));
  if (!found) throw new Error(`${file} exports no *${suffix}`);
  return found[1] as T;
}

/**
 * What `npm start` and `npm run migrate` need of a subgraph without loading it whole: its
 * config schema (src/config.ts) and migrations (src/db/migrations/index.ts). Loading a
 * ServiceDefinition brings in Apollo Server, BullMQ and every resolver, seconds of start-up
 * that a config check or a migration does not need. The names follow the definition's
 * (`schema` is the service's name; a test holds them to it).
 */
export interface ServiceManifest {
  name: ServiceName;
  schema: string;
  portVariable: string;
  configSchema: z.ZodType;
  /** Loaded on demand: migrations bring Kysely, which a config check does not need. */
  loadMigrations(): Promise<Record<string, Migration>>;
}

export async function loadServiceManifests(
  names: readonly ServiceName[] = serviceNames,
): Promise<ServiceManifest[]> {
  return Promise.all(
    presentServiceNames(names).map(async (name) => {
      const config = await configModules[name]();
      return {
        name,
        schema: name,
        portVariable: `${name.toUpperCase()}_PORT`,
        configSchema: findExport<z.ZodType>(config, 'ConfigSchema', `subgraphs/${name}/src/config.ts`),
        loadMigrations: async () =>
          findExport<Record<string, Migration>>(
            await migrationModules[name](),
            'migrations',
            `subgraphs/${name}/src/db/migrations/index.ts`,
          ),
      };
    }),
  );
}
