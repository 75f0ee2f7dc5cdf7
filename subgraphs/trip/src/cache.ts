import { createDataCache, type Logger, type Redis, type DataCache } from '@traveloure/platform';
import type { ItemRow, TripRow, UserRow } from './db/database.ts';

/**
 * Read caches of the trip subgraph (the platform data cache: L1 over Redis, tags):
 * destinations (reference data, an hour), trip rows and each trip's items (minutes), the last
 * two tagged `trip:<id>` and invalidated after every committed change to the trip or its items,
 * and user rows (every trip's owner), tagged `user:<id>` and invalidated when provisioning
 * changed the row.
 */
export interface TripCaches {
  destinations: DataCache;
  users: DataCache;
  trips: DataCache;
  items: DataCache;
  /** Call after the change committed (not inside the transaction). */
  invalidateTrip(tripId: string): Promise<void>;
  invalidateUser(userId: string): Promise<void>;
  close(): Promise<void>;
}

export const tripCacheTtl = {
  destinations: { ttlSeconds: 3_600, staleTtlSeconds: 86_400 },
  trips: { ttlSeconds: 300, staleTtlSeconds: 300 },
  items: { ttlSeconds: 300, staleTtlSeconds: 300 },
  users: { ttlSeconds: 300, staleTtlSeconds: 300 },
} as const;

export const tripTag = (tripId: string) => `trip:${tripId}`;
export const userTag = (userId: string) => `user:${userId}`;

export function createTripCaches(options: { redis?: Redis; logger: Logger; keyPrefix: string }): TripCaches {
  const make = (namespace: string) =>
    createDataCache({
      service: 'trip',
      namespace,
      redis: options.redis,
      logger: options.logger,
      keyPrefix: options.keyPrefix,
    });
  const destinations = make('destinations');
  const trips = make('trips');
  const items = make('itinerary-items');
  const users = make('users');
  return {
    destinations,
    users,
    trips,
    items,
    // The tag set is shared by the service, so one call clears the trip and its items.
    invalidateTrip: (tripId) => trips.invalidateTags([tripTag(tripId)]),
    invalidateUser: (userId) => users.invalidateTags([userTag(userId)]),
    close: async () => {
      await Promise.all([destinations.close(), users.close(), trips.close(), items.close()]);
    },
  };
}

/**
 * Rows that went through Redis come back as JSON: their timestamps are strings again. Rows that
 * never left this process (L1, SQL) already hold Dates and are returned as they are: these run
 * for every row of every read.
 */
const asDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

export function reviveTrip(row: TripRow): TripRow {
  if (row.created_at instanceof Date && row.updated_at instanceof Date) return row;
  return { ...row, created_at: asDate(row.created_at), updated_at: asDate(row.updated_at) };
}

export function reviveUser(row: UserRow): UserRow {
  if (row.created_at instanceof Date && row.updated_at instanceof Date) return row;
  return { ...row, created_at: asDate(row.created_at), updated_at: asDate(row.updated_at) };
}

export function reviveItem(row: ItemRow): ItemRow {
  if (row.start_time instanceof Date && row.created_at instanceof Date) return row;
  return {
    ...row,
    start_time: asDate(row.start_time),
    end_time: row.end_time === null ? null : asDate(row.end_time),
    created_at: asDate(row.created_at),
    updated_at: asDate(row.updated_at),
  };
}
