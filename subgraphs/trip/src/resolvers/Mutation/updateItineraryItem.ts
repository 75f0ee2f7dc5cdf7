import { rejectInput, requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { updateItem } from '../../db/items.repository.ts';
import { validateItem } from '../../validation.ts';
import { itemValues, lockTripForItems, refreshTripLoaders, loadVisibleItem } from '../itinerary.ts';
import { notFoundError } from '../shared.ts';

export const updateItineraryItem: MutationResolvers['updateItineraryItem'] = async (
  _parent,
  { id, input },
  context,
) => {
  requireViewer(context);
  return withUserErrors(
    async () => {
      const visible = await loadVisibleItem(context, id);
      if (!visible) rejectInput(notFoundError(['id'], 'Itinerary item'));
      const { item, trip } = visible;

      // Required fields ignore null; optional ones are cleared by an explicit null.
      const fields = {
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
      const result = await context.db.transaction().execute(async (trx) => {
        const locked = await lockTripForItems(trx, context, trip, ['id']);
        const userErrors = validateItem(fields, locked.window);
        if (userErrors.length > 0) rejectInput(...userErrors);
        const updated = await updateItem(trx, item.id, itemValues(input.kind ?? item.kind, fields));
        if (!updated) rejectInput(notFoundError(['id'], 'Itinerary item'));
        return { item: updated, trip: locked.trip };
      });
      context.loaders.itemById.clear(item.id).prime(item.id, result.item);
      await refreshTripLoaders(context, result.trip);
      return result;
    },
    { item: null, trip: null },
  );
};
