import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

function isServiceDefinition(value: unknown): value is ServiceDefinition<any> {
  return (
    typeof value === 'object' &&
    value !== null &&
    'create' in value &&
    'migrations' in value &&
    'schema' in value
  );
}

/** The subgraphs present in this checkout, each with its ServiceDefinition (src/service.ts). */
export async function loadServiceDefinitions(
  names: readonly ServiceName[] = serviceNames,
): Promise<ServiceDefinition<any>[]> {
  const definitions: ServiceDefinition<any>[] = [];
  for (const name of names) {
    const file = resolve(repositoryRoot, 'subgraphs', name, 'src/service.ts');
    if (!existsSync(file)) continue;
    const module = await serviceModules[name]();
    const definition = Object.values(module).find(isServiceDefinition);
    if (!definition) throw new Error(`subgraphs/${name}/src/service.ts exports no ServiceDefinition`);
    definitions.push(definition);
  }
  return definitions;
}
