import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { insertItem } from '../../db/items.repository.ts';
import { validateItem } from '../../validation.ts';
import { itemValues, lockTripForItems, refreshTripLoaders } from '../itinerary.ts';
import { catchRejected, notFoundError, Rejected, requireViewer } from '../shared.ts';

export const addItineraryItem: MutationResolvers['addItineraryItem'] = async (
  _parent,
  { tripId, input },
  context,
) => {
  requireViewer(context);
  const trip = await context.loaders.trips.load(tripId);
  if (!trip) return { item: null, trip: null, userErrors: [notFoundError(['tripId'], 'Trip')] };
  const fields = {
    title: input.title,
    startTime: input.startTime,
    endTime: input.endTime ?? null,
    notes: input.notes ?? null,
    location: input.location ?? null,
    cost: input.cost ?? null,
  };
  const result = await catchRejected(() =>
    context.db.transaction().execute(async (trx) => {
      const locked = await lockTripForItems(trx, context, trip, ['tripId']);
      const userErrors = validateItem(fields, locked.window);
      if (userErrors.length > 0) throw new Rejected(userErrors);
      const item = await insertItem(trx, {
        trip_id: locked.trip.id,
        trip_region: locked.trip.region,
        ...itemValues(input.kind, fields),
      });
      return { item, trip: locked.trip };
    }),
  );
  if (result instanceof Rejected) return { item: null, trip: null, userErrors: result.userErrors };
  await refreshTripLoaders(context, result.trip);
  return { ...result, userErrors: [] };
};
