import type { z } from 'zod';
import type { Kysely, Migration } from 'kysely';
import type { Logger } from '@traveloure/platform/logger';
// Narrow imports: `npm run migrate` loads this module, and the platform's index brings Apollo,
// BullMQ and Sentry (seconds of start-up a migration does not need).
import { presentSubgraphs, type SubgraphEntry } from '@traveloure/platform/subgraph-registry';
import type { ServiceDefinition } from '@traveloure/platform/service';
import type { RegionalDatabases } from '@traveloure/platform/regional-databases';

/** A subgraph's name as schema/supergraph.yaml registers it (trip, ai, search, notification). */
export type ServiceName = string;

/** The subgraphs of schema/supergraph.yaml whose package is in this checkout, in registry order. */
export const serviceNames: readonly ServiceName[] = presentSubgraphs().map(({ name }) => name);

/**
 * How to load each registered subgraph's `service` module. Written out, not built from the name:
 * a bundler follows only imports it can read, and the compiled image runs from bundles
 * (scripts/build.ts). The registry stays the list: services.test.ts fails when this map and
 * schema/supergraph.yaml disagree.
 */
export const serviceModules: Record<ServiceName, () => Promise<Record<string, unknown>>> = {
  trip: () => import('@traveloure/trip/service'),
  ai: () => import('@traveloure/ai/service'),
  search: () => import('@traveloure/search/service'),
  notification: () => import('@traveloure/notification/service'),
};

/** `<name>Service`, the export that holds a subgraph's ServiceDefinition (tripService, ...). */
export const serviceExportName = (name: string) =>
  `${name.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase())}Service`;

/** The ServiceDefinition of each named subgraph, by the registry's convention. */
export async function loadServiceDefinitions(
  names: readonly ServiceName[] = serviceNames,
): Promise<ServiceDefinition<any>[]> {
  const registered = new Map<string, SubgraphEntry>(presentSubgraphs().map((entry) => [entry.name, entry]));
  const definitions: ServiceDefinition<any>[] = [];
  for (const name of names) {
    const entry = registered.get(name);
    const load = serviceModules[name];
    if (!entry || !load) {
      throw new Error(
        `${name} is not a subgraph of schema/supergraph.yaml with a module in host/src/services.ts (there: ${[...registered.keys()].join(', ')})`,
      );
    }
    const exportName = serviceExportName(entry.name);
    const definition = (await load())[exportName] as ServiceDefinition<any> | undefined;
    if (!definition || definition.name !== entry.name) {
      throw new Error(
        `${entry.directory}/src/service.ts must export ${exportName}, the ServiceDefinition named '${entry.name}'`,
      );
    }
    definitions.push(definition);
  }
  return definitions;
}

/** The registered subgraphs of `names` present in this checkout. */
export function presentServiceNames(names: readonly ServiceName[] = serviceNames): ServiceName[] {
  const present = new Set(presentSubgraphs().map(({ name }) => name));
  return names.filter((name) => present.has(name));
}

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

/** The subgraphs with demo data: `src/db/seed/index.ts`, exporting `seed` (ServiceDefinition.seed). */
const seedModules: Record<ServiceName, () => Promise<Record<string, unknown>>> = {
  trip: () => import('@traveloure/trip/db/seed/index'),
  ai: () => import('@traveloure/ai/db/seed/index'),
};

/** What a seed step is given: the service's settings, logger and primary database. */
export type ServiceSeed = (runtime: {
  config: any;
  logger: Logger;
  db: Kysely<any>;
  /** The regions' databases (DATABASE_URL_<REGION>), for the services that keep regional data. */
  regional?: RegionalDatabases<any>;
}) => Promise<void>;

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
 * (`schema` is the service's name; services.test.ts holds them to it).
 */
export interface ServiceManifest {
  name: ServiceName;
  schema: string;
  portVariable: string;
  configSchema: z.ZodType;
  /** Loaded on demand: migrations bring Kysely, which a config check does not need. */
  loadMigrations(): Promise<Record<string, Migration>>;
  /** Its demo data step, when it has one (`npm run seed`). */
  loadSeed(): Promise<ServiceSeed | undefined>;
}

export async function loadServiceManifests(
  names: readonly ServiceName[] = serviceNames,
): Promise<ServiceManifest[]> {
  return Promise.all(
    presentServiceNames(names).map(async (name) => {
      const loadConfigModule = configModules[name];
      const loadMigrationsModule = migrationModules[name];
      if (!loadConfigModule || !loadMigrationsModule) {
        throw new Error(`${name} has no config and migrations modules in host/src/services.ts`);
      }
      const config = await loadConfigModule();
      return {
        name,
        schema: name,
        portVariable: `${name.toUpperCase()}_PORT`,
        configSchema: findExport<z.ZodType>(config, 'ConfigSchema', `subgraphs/${name}/src/config.ts`),
        loadMigrations: async () =>
          findExport<Record<string, Migration>>(
            await loadMigrationsModule(),
            'migrations',
            `subgraphs/${name}/src/db/migrations/index.ts`,
          ),
        loadSeed: async () => {
          const loadSeedModule = seedModules[name];
          return loadSeedModule ? ((await loadSeedModule()).seed as ServiceSeed) : undefined;
        },
      };
    }),
  );
}
