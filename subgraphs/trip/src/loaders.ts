import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import type { Database, DestinationRow, ItemRow, TripRow, UserRow } from './db/database.ts';
import { findUsersByIds } from './db/users.repository.ts';
import { findTripsByIds, type TripScope } from './db/trips.repository.ts';
import { findItemsByIds, findItemsByTripIds } from './db/items.repository.ts';
import { findDestinationsByCodes } from './db/destinations.repository.ts';
import { reviveItem, reviveTrip, tripCacheTtl, tripTag, type TripCaches } from './cache.ts';

/** Puts rows back in key order (DataLoader's contract); a missing key gets null. */
function byKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const index = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => index.get(key) ?? null);
}

function groupByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const groups = new Map<K, R[]>(keys.map((key) => [key, []]));
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

/**
 * Every DataLoader, made per request (never shared: they cache per viewer). Each batch is one
 * SQL statement, whatever the number of keys.
 */
export function createLoaders(
  db: Kysely<Database>,
  scope: TripScope | undefined,
  caches?: TripCaches,
): Loaders {
  const loaders: Loaders = {
    users: new DataLoader(async (ids) => byKey(ids, await findUsersByIds(db, ids), (row) => row.id)),
    trips: new DataLoader(async (ids) =>
      scope ? byKey(ids, await findTripsByIds(db, ids, scope), (row) => row.id) : ids.map(() => null),
    ),
    items: new DataLoader(async (ids) => byKey(ids, await findItemsByIds(db, ids), (row) => row.id)),
    itemsByTrip: new DataLoader(async (tripIds) =>
      groupByKey(tripIds, await findItemsByTripIds(db, tripIds), (row) => row.trip_id),
    ),
    destinations: new DataLoader(async (codes) =>
      byKey(codes, await findDestinationsByCodes(db, codes), (row) => row.code),
    ),
  };
  return caches ? withCaches(loaders, db, scope, caches) : loaders;
}

/**
 * The same loaders read through the response cache: hits cost no SQL, and the misses of a
 * batch are still one statement. Trip rows are cached unscoped and filtered here exactly as
 * findTripsByIds filters in SQL (the owner, or everyone's for an admin).
 */
function withCaches(
  loaders: Loaders,
  db: Kysely<Database>,
  scope: TripScope | undefined,
  caches: TripCaches,
): Loaders {
  const values = <T>(results: ({ value: T } | undefined)[]) => results.map((result) => result?.value);
  const everyone: TripScope = { userId: '', admin: true };
  return {
    ...loaders,
    trips: new DataLoader(async (ids) => {
      if (!scope) return ids.map(() => null);
      const rows = values(
        await caches.trips.getMany(
          ids,
          async (missing) =>
            new Map((await findTripsByIds(db, missing, everyone)).map((row) => [row.id, row])),
          { ...tripCacheTtl.trips, keyOf: (id) => `trip:${id}`, tagsOf: (id) => [tripTag(id)] },
        ),
      );
      return rows.map((row) =>
        row && (scope.admin || row.user_id === scope.userId) ? reviveTrip(row) : null,
      );
    }),
    itemsByTrip: new DataLoader(async (tripIds) => {
      const groups = values(
        await caches.items.getMany(
          tripIds,
          async (missing) => {
            const grouped = groupByKey(missing, await findItemsByTripIds(db, missing), (row) => row.trip_id);
            return new Map(missing.map((id, index) => [id, grouped[index]!]));
          },
          { ...tripCacheTtl.items, keyOf: (id) => `items:${id}`, tagsOf: (id) => [tripTag(id)] },
        ),
      );
      return groups.map((group) => (group ?? []).map(reviveItem));
    }),
    destinations: new DataLoader(async (codes) => {
      const rows = values(
        await caches.destinations.getMany(
          codes,
          async (missing) =>
            new Map((await findDestinationsByCodes(db, missing)).map((row) => [row.code, row])),
          { ...tripCacheTtl.destinations, keyOf: (code) => `destination:${code}` },
        ),
      );
      return rows.map((row) => row ?? null);
    }),
  };
}
