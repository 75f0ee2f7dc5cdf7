import { presentSubgraphs, type ServiceDefinition, type SubgraphEntry } from '@traveloure/platform';

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
