import { userError, type UserError } from '@traveloure/platform';
import type { TripContext } from '../context.ts';
import type { TripRow } from '../db/database.ts';

/*
 * What every change to a trip or its items shares (trips.service.ts, itinerary.service.ts): kept
 * apart from both so that neither service reaches its work through the other.
 */

/** The same answer for a missing id and for someone else's: ids cannot be probed. */
export const notFoundError = (field: string[], what: string): UserError =>
  userError(field, `${what} was not found.`, 'NOT_FOUND');

/**
 * After a committed change to a trip or its items, later reads in this request see the new trip
 * and items, and so do later requests (the cached trip and items are invalidated).
 */
export async function refreshTrip(context: TripContext, trip: TripRow): Promise<void> {
  context.loaders.tripById.clear(trip.id).prime(trip.id, trip);
  context.loaders.itemsByTripId.clear(trip.id);
  await context.services.caches.invalidateTrip(trip.id);
}
