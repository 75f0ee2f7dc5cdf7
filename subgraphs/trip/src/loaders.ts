import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { groupedInKeyOrder, inKeyOrder, type ResponseCache } from '@traveloure/platform';
import type { Database, DestinationRow, ItemRow, TripRow, UserRow } from './db/database.ts';
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
const everyone: TripScope = { userId: '', admin: true };

/**
 * A batch read through `cache`: hits cost no SQL, the misses of a batch are still one
 * statement, and a key without a row is null.
 */
function cachedBatch<K, V>(
  cache: ResponseCache,
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
  tripById: (ids: readonly string[]) => Promise<(TripRow | null)[]>;
  itemById: (ids: readonly string[]) => Promise<(ItemRow | null)[]>;
  itemsByTripId: (tripIds: readonly string[]) => Promise<(ItemRow[] | null)[]>;
  destinationByCode: (codes: readonly string[]) => Promise<(DestinationRow | null)[]>;
}

export function createLoaderSources(db: Kysely<Database>, caches: LoaderCaches): LoaderSources {
  return {
    userById: cachedBatch(
      caches.users,
      {
        ttl: tripCacheTtl.users,
        keyOf: (id) => `user:${id}`,
        tagsOf: (id) => [userTag(id)],
        revive: reviveUser,
      },
      async (ids) => indexBy(await findUsersByIds(db, ids), (row) => row.id),
    ),
    tripById: cachedBatch(
      caches.trips,
      {
        ttl: tripCacheTtl.trips,
        keyOf: (id) => `trip:${id}`,
        tagsOf: (id) => [tripTag(id)],
        revive: reviveTrip,
      },
      async (ids) => indexBy(await findTripsByIds(db, ids, everyone), (row) => row.id),
    ),
    itemById: async (ids) => inKeyOrder(ids, await findItemsByIds(db, ids), (row) => row.id),
    itemsByTripId: cachedBatch(
      caches.items,
      {
        ttl: tripCacheTtl.items,
        keyOf: (id) => `items:${id}`,
        tagsOf: (id) => [tripTag(id)],
        revive: (group: ItemRow[]) => group.map(reviveItem),
      },
      async (tripIds) => {
        const grouped = groupedInKeyOrder(
          tripIds,
          await findItemsByTripIds(db, tripIds),
          (row) => row.trip_id,
        );
        return new Map(tripIds.map((id, index) => [id, grouped[index]!]));
      },
    ),
    destinationByCode: cachedBatch(
      caches.destinations,
      { ttl: tripCacheTtl.destinations, keyOf: (code) => `destination:${code}` },
      async (codes) => indexBy(await findDestinationsByCodes(db, codes), (row) => row.code),
    ),
  };
}

/**
 * Every DataLoader, made per request (never shared: they cache per viewer), each only when a
 * resolver first asks for it. Each batch is one SQL statement, whatever the number of keys.
 */
export function createLoaders(sources: LoaderSources, scope: TripScope | undefined): Loaders {
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
        return (await sources.tripById(ids)).map((row) => (row && visible(row, scope) ? row : null));
      }));
    },
    get itemById() {
      return (itemById ??= new DataLoader(sources.itemById));
    },
    get itemsByTripId() {
      return (itemsByTripId ??= new DataLoader(async (tripIds) =>
        (await sources.itemsByTripId(tripIds)).map((group) => group ?? []),
      ));
    },
    get destinationByCode() {
      return (destinationByCode ??= new DataLoader(sources.destinationByCode));
    },
  };
}
