import { parseInput, rejectInput } from '@traveloure/platform';
import type { Kysely } from 'kysely';
import type { ItineraryItemInput, UpdateItineraryItemInput } from '../__generated__/resolvers-types.ts';
import type { TripContext } from '../context.ts';
import type { Database, ItemKindValue, ItemRow, TripRow } from '../db/database.ts';
import { findDestinationsByCodes } from '../db/destinations.repository.ts';
import { deleteItem, insertItem, updateItem } from '../db/items.repository.ts';
import { touchTrip } from '../db/trips.repository.ts';
import { notFoundError, refreshTrip } from '../trips/trip-changes.ts';
import { tripWindow, type TripWindow } from '../trips/trip-dates.ts';
import { itemFieldsSchema, type ItemFields } from './itinerary.input.ts';

/** A changed item with its trip, whose `updatedAt` every itinerary change bumps. */
export interface ItemChange {
  item: ItemRow;
  trip: TripRow;
}

/**
 * An item as the caller may see it: visible exactly when its trip is (the trip loader applies
 * the owner/admin rule), so another user's item is missing, like one that does not exist.
 */
export async function findVisibleItem(context: TripContext, id: string): Promise<ItemRow | null> {
  return (await loadVisibleItem(context, id))?.item ?? null;
}

async function loadVisibleItem(context: TripContext, id: string) {
  const item = await context.loaders.itemById.load(id);
  const trip = item ? await context.loaders.tripById.load(item.trip_id) : null;
  return item && trip ? { item, trip } : null;
}

/** The visible item a change names, or NOT_FOUND under `id`. */
async function requireVisibleItem(context: TripContext, id: string) {
  const visible = await loadVisibleItem(context, id);
  if (!visible) rejectInput(notFoundError(['id'], 'Itinerary item'));
  return visible;
}

/**
 * Locks the trip for an itinerary change (inside `trx`) and returns it as it is now with the
 * instants it covers, so an item is checked against the dates that will hold when it commits.
 */
async function lockTripForItems(
  trx: Kysely<Database>,
  context: TripContext,
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

/** The item columns an add or an update writes, from checked fields. */
function itemValues(kind: ItemKindValue, fields: ItemFields) {
  return {
    kind,
    title: fields.title,
    start_time: fields.startTime,
    end_time: fields.endTime,
    notes: fields.notes,
    location: fields.location,
    cost_amount: fields.cost?.amount ?? null,
    cost_currency: fields.cost?.currency ?? null,
  };
}

export async function addItineraryItem(
  context: TripContext,
  tripId: string,
  input: ItineraryItemInput,
): Promise<ItemChange> {
  const trip = await context.loaders.tripById.load(tripId);
  if (!trip) rejectInput(notFoundError(['tripId'], 'Trip'));
  // The trip's region's database holds its items.
  const result = await context.services.regions
    .of(trip.region)
    .transaction()
    .execute(async (trx) => {
      const locked = await lockTripForItems(trx, context, trip, ['tripId']);
      // Thrown inside the transaction, so the lock is released with nothing written.
      const fields = parseInput(
        itemFieldsSchema(locked.window),
        {
          title: input.title,
          startTime: input.startTime,
          endTime: input.endTime ?? null,
          notes: input.notes ?? null,
          location: input.location ?? null,
          cost: input.cost ?? null,
        } satisfies ItemFields,
        ['input'],
      );
      const item = await insertItem(trx, {
        trip_id: locked.trip.id,
        trip_region: locked.trip.region,
        ...itemValues(input.kind, fields),
      });
      return { item, trip: locked.trip };
    });
  await refreshTrip(context, result.trip);
  return result;
}

/** Applies the changes an update names: required fields ignore null, optional ones are cleared by it. */
export async function updateItineraryItem(
  context: TripContext,
  id: string,
  input: UpdateItineraryItemInput,
): Promise<ItemChange> {
  const { item, trip } = await requireVisibleItem(context, id);
  const merged: ItemFields = {
    title: input.title ?? item.title,
    startTime: input.startTime ?? item.start_time,
    endTime: input.endTime === undefined ? item.end_time : input.endTime,
    notes: input.notes === undefined ? item.notes : input.notes,
    location: input.location === undefined ? item.location : input.location,
    cost:
      input.cost === undefined
        ? item.cost_amount !== null && item.cost_currency !== null
          ? { amount: item.cost_amount, currency: item.cost_currency }
          : null
        : input.cost,
  };
  const result = await context.services.regions
    .of(trip.region)
    .transaction()
    .execute(async (trx) => {
      const locked = await lockTripForItems(trx, context, trip, ['id']);
      const fields = parseInput(itemFieldsSchema(locked.window), merged, ['input']);
      const updated = await updateItem(trx, item.id, itemValues(input.kind ?? item.kind, fields));
      if (!updated) rejectInput(notFoundError(['id'], 'Itinerary item'));
      return { item: updated, trip: locked.trip };
    });
  context.loaders.itemById.clear(item.id).prime(item.id, result.item);
  await refreshTrip(context, result.trip);
  return result;
}

/** Removes the item; answers its id and its trip as the removal left it. */
export async function removeItineraryItem(
  context: TripContext,
  id: string,
): Promise<{ removedItemId: string; trip: TripRow }> {
  const { item, trip } = await requireVisibleItem(context, id);
  const updatedTrip = await context.services.regions
    .of(trip.region)
    .transaction()
    .execute(async (trx) => {
      const locked = await lockTripForItems(trx, context, trip, ['id']);
      if (!(await deleteItem(trx, item.id))) rejectInput(notFoundError(['id'], 'Itinerary item'));
      return locked.trip;
    });
  context.loaders.itemById.clear(item.id).prime(item.id, null);
  await refreshTrip(context, updatedTrip);
  return { removedItemId: item.id, trip: updatedTrip };
}
