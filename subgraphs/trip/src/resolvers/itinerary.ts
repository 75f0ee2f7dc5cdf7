import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { Database, ItemKindValue, TripRow } from '../db/database.ts';
import { findDestinationsByCodes } from '../db/destinations.repository.ts';
import { touchTrip } from '../db/trips.repository.ts';
import { tripWindow, type ItemFields, type TripWindow } from '../validation.ts';
import { rejectInput } from '@traveloure/platform';
import { notFoundError } from './shared.ts';

/**
 * Locks the trip for an itinerary change (inside `trx`) and returns it as it is now with the
 * instants it covers, so an item is checked against the dates that will hold when it commits.
 */
/**
 * An item and its trip, both as the caller may see them: another user's item is missing, like
 * one that does not exist.
 */
export async function loadVisibleItem(context: Context, id: string) {
  const item = await context.loaders.itemById.load(id);
  const trip = item ? await context.loaders.tripById.load(item.trip_id) : null;
  return item && trip ? { item, trip } : null;
}

export async function lockTripForItems(
  trx: Kysely<Database>,
  context: Context,
  trip: TripRow,
  idField: string[],
): Promise<{ trip: TripRow; window: TripWindow }> {
  const fresh = await touchTrip(trx, { id: trip.id, region: trip.region });
  if (!fresh) rejectInput(notFoundError(idField, 'Trip'));
  const destination =
    fresh.destination_code === trip.destination_code
      ? await context.loaders.destinationByCode.load(fresh.destination_code)
      : (await findDestinationsByCodes(trx, [fresh.destination_code]))[0];
  if (!destination) throw new Error(`destination ${fresh.destination_code} of trip ${fresh.id} is missing`);
  return { trip: fresh, window: tripWindow(fresh.start_date, fresh.end_date, destination.timezone) };
}

/**
 * After a committed change, later reads in this request see the new trip and items, and so do
 * later requests (the cached trip and items are invalidated).
 */
export async function refreshTripLoaders(context: Context, trip: TripRow) {
  context.loaders.tripById.clear(trip.id).prime(trip.id, trip);
  context.loaders.itemsByTripId.clear(trip.id);
  await context.caches.invalidateTrip(trip.id);
}

/** The item columns an add or an update writes, from validated fields. */
export function itemValues(kind: ItemKindValue, fields: ItemFields) {
  return {
    kind,
    title: fields.title.trim(),
    start_time: fields.startTime,
    end_time: fields.endTime,
    notes: fields.notes,
    location: fields.location,
    cost_amount: fields.cost?.amount ?? null,
    cost_currency: fields.cost?.currency ?? null,
  };
}
