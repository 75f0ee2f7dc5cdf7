import { createResponseCache, type Logger, type Redis, type ResponseCache } from '@traveloure/platform';
import type { ItemRow, TripRow } from './db/database.ts';

/**
 * Read caches of the trip subgraph (the platform response cache: L1 over Redis, tags):
 * destinations (reference data, an hour), trip rows and each trip's items (minutes), the last
 * two tagged `trip:<id>` and invalidated after every committed change to the trip or its items.
 */
export interface TripCaches {
  destinations: ResponseCache;
  trips: ResponseCache;
  items: ResponseCache;
  /** Call after the change committed (not inside the transaction). */
  invalidateTrip(tripId: string): Promise<void>;
  close(): Promise<void>;
}

export const tripCacheTtl = {
  destinations: { ttlSeconds: 3_600, staleTtlSeconds: 86_400 },
  trips: { ttlSeconds: 300, staleTtlSeconds: 300 },
  items: { ttlSeconds: 300, staleTtlSeconds: 300 },
} as const;

export const tripTag = (tripId: string) => `trip:${tripId}`;

export function createTripCaches(options: { redis?: Redis; logger: Logger }): TripCaches {
  const make = (namespace: string) =>
    createResponseCache({ service: 'trip', namespace, redis: options.redis, logger: options.logger });
  const destinations = make('destinations');
  const trips = make('trips');
  const items = make('itinerary-items');
  return {
    destinations,
    trips,
    items,
    // The tag set is shared by the service, so one call clears the trip and its items.
    invalidateTrip: (tripId) => trips.invalidateTags([tripTag(tripId)]),
    close: async () => {
      await Promise.all([destinations.close(), trips.close(), items.close()]);
    },
  };
}

/** Rows that went through Redis come back as JSON: their timestamps are strings again. */
const asDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

export function reviveTrip(row: TripRow): TripRow {
  return { ...row, created_at: asDate(row.created_at), updated_at: asDate(row.updated_at) };
}

export function reviveItem(row: ItemRow): ItemRow {
  return {
    ...row,
    start_time: asDate(row.start_time),
    end_time: row.end_time === null ? null : asDate(row.end_time),
    created_at: asDate(row.created_at),
    updated_at: asDate(row.updated_at),
  };
}
