import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import { viewerOf, type BaseContext, type Identity, type Logger, type Viewer } from '@traveloure/platform';

export type { Viewer } from '@traveloure/platform';
import type { Database } from './db/database.ts';
import { provisionSignedInUser } from './users/users.service.ts';
import { createLoaders, type LoaderSources, type Loaders } from './loaders.ts';
import type { TripConfig } from './config.ts';
import type { TripCaches } from './cache.ts';
import type { RegionValue } from './db/database.ts';
import type { TripRegions } from './regions/regions.ts';

/** What every trip resolver gets: the caller, per-request loaders, the service's dependencies. */
export interface TripContext extends BaseContext {
  db: Kysely<Database>;
  /** The read replica (analytics), or the primary when none is configured. */
  readDb: Kysely<Database>;
  /** Each region's database: users, trips and items are read and written in their region's. */
  regions: TripRegions;
  viewer?: Viewer;
  /** The signed-in caller's region (their rows are in `regions.of(viewerRegion)`). */
  viewerRegion?: RegionValue;
  loaders: Loaders;
  config: TripConfig;
  /** Read caches, invalidated after every committed change. */
  caches: TripCaches;
}

/** The name the shared codegen config (codegen.ts) types every subgraph's resolvers with. */
export type Context = TripContext;

export interface ContextDependencies {
  db: Kysely<Database>;
  readDb: Kysely<Database>;
  regions: TripRegions;
  config: TripConfig;
  logger: Logger;
  caches: TripCaches;
  /** The batch functions (cached reads) behind every request's loaders, made once. */
  sources: LoaderSources;
  /** Claims provisioned recently by this process (see recentlyProvisioned). */
  provisioned?: LRUCache<string, ProvisionedClaims>;
}

/** The claims last provisioned for a user, and the region they put the user in. */
export interface ProvisionedClaims {
  claims: string;
  region: RegionValue;
}

/**
 * Users whose current claims this process provisioned within the last minute, so a signed-in
 * caller's requests do not each pay the upsert: only new users and changed claims reach the
 * database. A minute bounds how long a row removed behind our back stays unnoticed.
 */
export function recentlyProvisioned(): LRUCache<string, ProvisionedClaims> {
  return new LRUCache<string, ProvisionedClaims>({ max: 50_000, ttl: 60_000 });
}

/**
 * Per-request context. A signed-in caller is provisioned here, on their first request and
 * whenever their claims change, so every trip's owner exists as a user row.
 */
export async function createContext(
  deps: ContextDependencies,
  identity: Identity,
): Promise<Omit<TripContext, 'logger'>> {
  const viewer: Viewer | undefined = viewerOf(identity);
  const viewerRegion = identity.user ? await provisionSignedInUser(deps, identity.user) : undefined;
  const loaders = createLoaders(
    deps.sources,
    viewer ? { userId: viewer.id, admin: viewer.admin, region: viewerRegion } : undefined,
  );
  return {
    identity,
    viewer,
    loaders,
    db: deps.db,
    readDb: deps.readDb,
    regions: deps.regions,
    viewerRegion,
    config: deps.config,
    caches: deps.caches,
    requestId: identity.requestId,
  };
}
