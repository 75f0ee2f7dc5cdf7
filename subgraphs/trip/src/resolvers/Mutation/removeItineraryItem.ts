import { rejectInput, requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { deleteItem } from '../../db/items.repository.ts';
import { lockTripForItems, refreshTripLoaders, loadVisibleItem } from '../itinerary.ts';
import { notFoundError } from '../shared.ts';

export const removeItineraryItem: MutationResolvers['removeItineraryItem'] = async (
  _parent,
  { id },
  context,
) => {
  requireViewer(context);
  return withUserErrors(
    async () => {
      const visible = await loadVisibleItem(context, id);
      if (!visible) rejectInput(notFoundError(['id'], 'Itinerary item'));
      const { item, trip } = visible;
      const updatedTrip = await context.db.transaction().execute(async (trx) => {
        const locked = await lockTripForItems(trx, context, trip, ['id']);
        if (!(await deleteItem(trx, item.id))) rejectInput(notFoundError(['id'], 'Itinerary item'));
        return locked.trip;
      });
      context.loaders.itemById.clear(item.id).prime(item.id, null);
      await refreshTripLoaders(context, updatedTrip);
      return { removedItemId: item.id, trip: updatedTrip };
    },
    { removedItemId: null, trip: null },
  );
};
