import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@traveloure/platform';

export const serviceNames = ['trip', 'ai', 'search', 'notification'] as const;
export type ServiceName = (typeof serviceNames)[number];

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

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
    const module = (await import(`@traveloure/${name}/service`)) as Record<string, unknown>;
    const definition = Object.values(module).find(isServiceDefinition);
    if (!definition) throw new Error(`subgraphs/${name}/src/service.ts exports no ServiceDefinition`);
    definitions.push(definition);
  }
  return definitions;
}
