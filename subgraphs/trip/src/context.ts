import type { Kysely } from 'kysely';
import type { LRUCache } from 'lru-cache';
import {
  callerContextOf,
  type BaseContext,
  type Identity,
  type Logger,
  type Viewer,
} from '@traveloure/platform';

export type { Viewer } from '@traveloure/platform';
import type { Database, RegionValue } from './db/database.ts';
import { provisionSignedInUser, type ProvisionedClaims } from './users/provisioning.ts';
import { createLoaders, type LoaderSources, type Loaders } from './loaders.ts';
import type { TripConfig } from './config.ts';
import type { TripCaches } from './cache.ts';
import type { TripRegions } from './regions/regions.ts';

/** Long-lived dependencies, made once per service and shared by every request. */
export interface TripServices {
  db: Kysely<Database>;
  /** The read replica (analytics), or the primary when none is configured. */
  readDb: Kysely<Database>;
  /** Each region's database: users, trips and items are read and written in their region's. */
  regions: TripRegions;
  config: TripConfig;
  logger: Logger;
  /** Read caches, invalidated after every committed change. */
  caches: TripCaches;
  /** The batch functions (cached reads) behind every request's loaders, made once. */
  sources: LoaderSources;
  /** Claims provisioned recently by this process (see recentlyProvisioned). */
  provisioned?: LRUCache<string, ProvisionedClaims>;
}

/** What every trip resolver gets: the caller, per-request loaders, the service's dependencies. */
export interface TripContext extends BaseContext {
  viewer?: Viewer;
  /** The signed-in caller's region (their rows are in `services.regions.of(viewerRegion)`). */
  viewerRegion?: RegionValue;
  loaders: Loaders;
  services: TripServices;
}

/**
 * Per-request context. A signed-in caller is provisioned here, on their first request and
 * whenever their claims change, so every trip's owner exists as a user row.
 */
export async function createContext(
  services: TripServices,
  identity: Identity,
): Promise<Omit<TripContext, 'logger'>> {
  const caller = callerContextOf(identity);
  const { viewer } = caller;
  const viewerRegion = identity.user ? await provisionSignedInUser(services, identity.user) : undefined;
  const loaders = createLoaders(
    services.sources,
    viewer ? { userId: viewer.id, admin: viewer.admin, region: viewerRegion } : undefined,
  );
  return { ...caller, viewerRegion, loaders, services };
}
