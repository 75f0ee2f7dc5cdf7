import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { groupedInKeyOrder, inEveryRegion, inKeyOrder, type DataCache } from '@traveloure/platform';
import type { Database, DestinationRow, ItemRow, RegionValue, TripRow, UserRow } from './db/database.ts';
import { singleDatabase, type TripRegions } from './regions/regions.ts';
import { findUsersByIds } from './db/users.repository.ts';
import { findTripsByIds, type TripScope } from './db/trips.repository.ts';
import { findItemsByIds, findItemsByTripIds } from './db/items.repository.ts';
import { findDestinationsByCodes } from './db/destinations.repository.ts';
import {
  reviveItem,
  reviveTrip,
  reviveUser,
  tripCacheTtl,
  tripTag,
  userTag,
  type TripCaches,
} from './cache.ts';

export interface Loaders {
  userById: DataLoader<string, UserRow | null>;
  /** Only trips the viewer may see; anything else loads as null, exactly like a missing trip. */
  tripById: DataLoader<string, TripRow | null>;
  /** Items by id, before authorization: callers check the item's trip through `tripById`. */
  itemById: DataLoader<string, ItemRow | null>;
  itemsByTripId: DataLoader<string, ItemRow[]>;
  destinationByCode: DataLoader<string, DestinationRow | null>;
}

/** The caches the loaders read through; tests that count statements pass passThroughCache(). */
export type LoaderCaches = Pick<TripCaches, 'users' | 'trips' | 'items' | 'destinations'>;

/** Who may see a trip row: the owner, or everyone's for an admin (findTripsByIds' rule). */
const visible = (row: TripRow, scope: TripScope) => scope.admin || row.user_id === scope.userId;

/** A viewer's scope, with the region their own rows are in. */
export type ViewerScope = TripScope & { region?: RegionValue };
const everyone: TripScope = { userId: '', admin: true };

/**
 * A batch read through `cache`: hits cost no SQL, the misses of a batch are still one
 * statement, and a key without a row is null.
 */
function cachedBatch<K, V>(
  cache: DataCache,
  options: {
    ttl: { ttlSeconds: number; staleTtlSeconds: number };
    keyOf: (key: K) => string;
    tagsOf?: (key: K) => string[];
    /** Values that went through Redis (JSON) made whole again, once, as they enter L1. */
    revive?: (value: V) => V;
  },
  loadMany: (keys: readonly K[]) => Promise<Map<K, V>>,
): (keys: readonly K[]) => Promise<(V | null)[]> {
  const getOptions = { ...options.ttl, keyOf: options.keyOf, tagsOf: options.tagsOf, revive: options.revive };
  return async (keys) => {
    const results = await cache.getMany(keys, loadMany, getOptions);
    return results.map((result) => result?.value ?? null);
  };
}

/** Rows by key, for the cache: a key without a row is left out (and so not cached). */
const indexBy = <K, R>(rows: readonly R[], keyOf: (row: R) => K) => {
  const map = new Map<K, R>();
  for (const row of rows) map.set(keyOf(row), row);
  return map;
};

/**
 * The batch functions of one process, shared by every request's loaders: only the DataLoaders
 * (and their per-request memo) are made per request. Trip rows are read and cached unscoped and
 * filtered per viewer in the loader, exactly as findTripsByIds filters in SQL. Rows leave the
 * cache ready (revived as they come out of Redis), so a hit allocates nothing per row. Each
 * answers in key order, null for a missing key.
 */
export interface LoaderSources {
  userById: (ids: readonly string[]) => Promise<(UserRow | null)[]>;
  /**
   * Trips, items, a trip's items: in `region`'s database alone (a viewer's own rows), or in every
   * region's when it is not known (an admin's lookups); one statement per database asked.
   */
  tripById: (ids: readonly string[], region?: RegionValue) => Promise<(TripRow | null)[]>;
  itemById: (ids: readonly string[], region?: RegionValue) => Promise<(ItemRow | null)[]>;
  itemsByTripId: (tripIds: readonly string[], region?: RegionValue) => Promise<(ItemRow[] | null)[]>;
  destinationByCode: (codes: readonly string[]) => Promise<(DestinationRow | null)[]>;
}

/**
 * A batch function per region and one across all regions, chosen per call: the region routes
 * the read, the cache (keyed by id, ids being unique across regions) is shared by all.
 */
function perRegion<K, V>(
  router: TripRegions,
  make: (
    read: <T>(work: (db: Kysely<Database>) => Promise<T[]>) => Promise<T[]>,
  ) => (keys: readonly K[]) => Promise<V>,
): (keys: readonly K[], region?: RegionValue) => Promise<V> {
  const everywhere = make((work) => inEveryRegion(router, work));
  if (router.single) return (keys) => everywhere(keys);
  const byRegion = new Map(router.regions.map((region) => [region, make((work) => work(router.of(region)))]));
  return (keys, region) => (region ? byRegion.get(region)! : everywhere)(keys);
}

export function createLoaderSources(
  databases: Kysely<Database> | TripRegions,
  caches: LoaderCaches,
): LoaderSources {
  const router = 'home' in databases ? databases : singleDatabase(databases);
  const home = router.home;
  return {
    userById: cachedBatch(
      caches.users,
      {
        ttl: tripCacheTtl.users,
        keyOf: (id) => `user:${id}`,
        tagsOf: (id) => [userTag(id)],
        revive: reviveUser,
      },
      // A user's row is in one region's database; a lookup by id does not know which.
      async (ids) => indexBy(await inEveryRegion(router, (db) => findUsersByIds(db, ids)), (row) => row.id),
    ),
    tripById: perRegion(router, (read) =>
      cachedBatch(
        caches.trips,
        {
          ttl: tripCacheTtl.trips,
          keyOf: (id: string) => `trip:${id}`,
          tagsOf: (id) => [tripTag(id)],
          revive: reviveTrip,
        },
        async (ids) => indexBy(await read((db) => findTripsByIds(db, ids, everyone)), (row) => row.id),
      ),
    ),
    itemById: perRegion(
      router,
      (read) => async (ids: readonly string[]) =>
        inKeyOrder(ids, await read((db) => findItemsByIds(db, ids)), (row) => row.id),
    ),
    itemsByTripId: perRegion(router, (read) =>
      cachedBatch(
        caches.items,
        {
          ttl: tripCacheTtl.items,
          keyOf: (id: string) => `items:${id}`,
          tagsOf: (id) => [tripTag(id)],
          revive: (group: ItemRow[]) => group.map(reviveItem),
        },
        async (tripIds) => {
          const grouped = groupedInKeyOrder(
            tripIds,
            await read((db) => findItemsByTripIds(db, tripIds)),
            (row) => row.trip_id,
          );
          return new Map(tripIds.map((id, index) => [id, grouped[index]!]));
        },
      ),
    ),
    // Reference data, the same in every database: read from the home one.
    destinationByCode: cachedBatch(
      caches.destinations,
      { ttl: tripCacheTtl.destinations, keyOf: (code) => `destination:${code}` },
      async (codes) => indexBy(await findDestinationsByCodes(home, codes), (row) => row.code),
    ),
  };
}

/**
 * Every DataLoader, made per request (never shared: they cache per viewer), each only when a
 * resolver first asks for it. Each batch is one SQL statement, whatever the number of keys.
 */
export function createLoaders(sources: LoaderSources, scope: ViewerScope | undefined): Loaders {
  // A traveler sees only their own trips, all in their region's database; an admin's lookups
  // ask every region.
  const region = scope && !scope.admin ? scope.region : undefined;
  let userById: Loaders['userById'] | undefined;
  let tripById: Loaders['tripById'] | undefined;
  let itemById: Loaders['itemById'] | undefined;
  let itemsByTripId: Loaders['itemsByTripId'] | undefined;
  let destinationByCode: Loaders['destinationByCode'] | undefined;
  return {
    get userById() {
      return (userById ??= new DataLoader(sources.userById));
    },
    get tripById() {
      return (tripById ??= new DataLoader(async (ids) => {
        if (!scope) return ids.map(() => null);
        return (await sources.tripById(ids, region)).map((row) => (row && visible(row, scope) ? row : null));
      }));
    },
    get itemById() {
      return (itemById ??= new DataLoader((ids) => sources.itemById(ids, region)));
    },
    get itemsByTripId() {
      return (itemsByTripId ??= new DataLoader(async (tripIds) =>
        (await sources.itemsByTripId(tripIds, region)).map((group) => group ?? []),
      ));
    },
    get destinationByCode() {
      return (destinationByCode ??= new DataLoader(sources.destinationByCode));
    },
  };
}
