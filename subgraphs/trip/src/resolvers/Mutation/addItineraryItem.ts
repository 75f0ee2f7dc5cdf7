import { rejectInput, requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { insertItem } from '../../db/items.repository.ts';
import { validateItem } from '../../validation.ts';
import { itemValues, lockTripForItems, refreshTripLoaders } from '../itinerary.ts';
import { notFoundError } from '../shared.ts';

export const addItineraryItem: MutationResolvers['addItineraryItem'] = async (
  _parent,
  { tripId, input },
  context,
) => {
  requireViewer(context);
  const fields = {
    title: input.title,
    startTime: input.startTime,
    endTime: input.endTime ?? null,
    notes: input.notes ?? null,
    location: input.location ?? null,
    cost: input.cost ?? null,
  };
  return withUserErrors(
    async () => {
      const trip = await context.loaders.tripById.load(tripId);
      if (!trip) rejectInput(notFoundError(['tripId'], 'Trip'));
      const result = await context.db.transaction().execute(async (trx) => {
        const locked = await lockTripForItems(trx, context, trip, ['tripId']);
        const userErrors = validateItem(fields, locked.window);
        // Thrown inside the transaction, so the lock is released with nothing written.
        if (userErrors.length > 0) rejectInput(...userErrors);
        const item = await insertItem(trx, {
          trip_id: locked.trip.id,
          trip_region: locked.trip.region,
          ...itemValues(input.kind, fields),
        });
        return { item, trip: locked.trip };
      });
      await refreshTripLoaders(context, result.trip);
      return result;
    },
    { item: null, trip: null },
  );
};
