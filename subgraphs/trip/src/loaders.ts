import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import type { ResponseCache } from '@traveloure/platform';
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

/** Puts rows back in key order (DataLoader's contract); a missing key gets null. */
function byKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const index = new Map<K, R>();
  for (const row of rows) index.set(keyOf(row), row);
  return keys.map((key) => index.get(key) ?? null);
}

function groupByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const groups = new Map<K, R[]>();
  for (const key of keys) groups.set(key, []);
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

export interface Loaders {
  users: DataLoader<string, UserRow | null>;
  /** Only trips the viewer may see; anything else loads as null, exactly like a missing trip. */
  trips: DataLoader<string, TripRow | null>;
  /** Items by id, before authorization: callers check the item's trip through `trips`. */
  items: DataLoader<string, ItemRow | null>;
  itemsByTrip: DataLoader<string, ItemRow[]>;
  destinations: DataLoader<string, DestinationRow | null>;
}

/** Who may see a trip row: the owner, or everyone's for an admin (findTripsByIds' rule). */
const visible = (row: TripRow, scope: TripScope) => scope.admin || row.user_id === scope.userId;
const everyone: TripScope = { userId: '', admin: true };

/**
 * A batch read through `cache` when there is one (hits cost no SQL; the misses of a batch are
 * still one statement), straight from `loadMany` otherwise.
 */
function cachedBatch<K, V>(
  cache: ResponseCache | undefined,
  options: {
    ttl: { ttlSeconds: number; staleTtlSeconds: number };
    keyOf: (key: K) => string;
    tagsOf?: (key: K) => string[];
    /** Values that went through Redis (JSON) made whole again, once, as they enter L1. */
    revive?: (value: V) => V;
  },
  loadMany: (keys: readonly K[]) => Promise<Map<K, V>>,
): (keys: readonly K[]) => Promise<(V | undefined)[]> {
  if (!cache) {
    return async (keys) => {
      const loaded = await loadMany(keys);
      return keys.map((key) => loaded.get(key));
    };
  }
  const getOptions = { ...options.ttl, keyOf: options.keyOf, tagsOf: options.tagsOf, revive: options.revive };
  return async (keys) => {
    const results = await cache.getMany(keys, loadMany, getOptions);
    return results.map((result) => result?.value);
  };
}

const indexBy = <K, R>(rows: readonly R[], keyOf: (row: R) => K) => {
  const map = new Map<K, R>();
  for (const row of rows) map.set(keyOf(row), row);
  return map;
};

/**
 * The batch functions of one process, shared by every request's loaders: only the DataLoaders
 * (and their per-request memo) are made per request. Trip rows are read and cached unscoped and
 * filtered per viewer in the loader, exactly as findTripsByIds filters in SQL. Rows leave the
 * cache ready (revived as they come out of Redis), so a hit allocates nothing per row.
 */
export interface LoaderSources {
  users: (ids: readonly string[]) => Promise<(UserRow | undefined)[]>;
  trips: (ids: readonly string[]) => Promise<(TripRow | undefined)[]>;
  items: (ids: readonly string[]) => Promise<(ItemRow | null)[]>;
  itemsByTrip: (tripIds: readonly string[]) => Promise<(ItemRow[] | undefined)[]>;
  destinations: (codes: readonly string[]) => Promise<(DestinationRow | undefined)[]>;
}

export function createLoaderSources(db: Kysely<Database>, caches?: TripCaches): LoaderSources {
  return {
    users: cachedBatch(
      caches?.users,
      {
        ttl: tripCacheTtl.users,
        keyOf: (id) => `user:${id}`,
        tagsOf: (id) => [userTag(id)],
        revive: reviveUser,
      },
      async (ids) => indexBy(await findUsersByIds(db, ids), (row) => row.id),
    ),
    trips: cachedBatch(
      caches?.trips,
      {
        ttl: tripCacheTtl.trips,
        keyOf: (id) => `trip:${id}`,
        tagsOf: (id) => [tripTag(id)],
        revive: reviveTrip,
      },
      async (ids) => indexBy(await findTripsByIds(db, ids, everyone), (row) => row.id),
    ),
    items: async (ids) => byKey(ids, await findItemsByIds(db, ids), (row) => row.id),
    itemsByTrip: cachedBatch(
      caches?.items,
      {
        ttl: tripCacheTtl.items,
        keyOf: (id) => `items:${id}`,
        tagsOf: (id) => [tripTag(id)],
        revive: (group: ItemRow[]) => group.map(reviveItem),
      },
      async (tripIds) => {
        const grouped = groupByKey(tripIds, await findItemsByTripIds(db, tripIds), (row) => row.trip_id);
        return new Map(tripIds.map((id, index) => [id, grouped[index]!]));
      },
    ),
    destinations: cachedBatch(
      caches?.destinations,
      { ttl: tripCacheTtl.destinations, keyOf: (code) => `destination:${code}` },
      async (codes) => indexBy(await findDestinationsByCodes(db, codes), (row) => row.code),
    ),
  };
}

/**
 * Every DataLoader, made per request (never shared: they cache per viewer), each only when a
 * resolver first asks for it. Each batch is one SQL statement, whatever the number of keys.
 * `sources` may be a LoaderSources made once; a db (and caches) makes them for this call.
 */
export function createLoaders(
  sources: LoaderSources | Kysely<Database>,
  scope: TripScope | undefined,
  caches?: TripCaches,
): Loaders {
  const from = 'users' in sources ? sources : createLoaderSources(sources, caches);
  let users: Loaders['users'] | undefined;
  let trips: Loaders['trips'] | undefined;
  let items: Loaders['items'] | undefined;
  let itemsByTrip: Loaders['itemsByTrip'] | undefined;
  let destinations: Loaders['destinations'] | undefined;
  return {
    get users() {
      return (users ??= new DataLoader(async (ids) => (await from.users(ids)).map((row) => row ?? null)));
    },
    get trips() {
      return (trips ??= new DataLoader(async (ids) => {
        if (!scope) return ids.map(() => null);
        return (await from.trips(ids)).map((row) => (row && visible(row, scope) ? row : null));
      }));
    },
    get items() {
      return (items ??= new DataLoader(from.items));
    },
    get itemsByTrip() {
      return (itemsByTrip ??= new DataLoader(async (tripIds) =>
        (await from.itemsByTrip(tripIds)).map((group) => group ?? []),
      ));
    },
    get destinations() {
      return (destinations ??= new DataLoader(async (codes) =>
        (await from.destinations(codes)).map((row) => row ?? null),
      ));
    },
  };
}
