import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { deleteItem } from '../../db/items.repository.ts';
import { lockTripForItems, refreshTripLoaders, loadVisibleItem } from '../itinerary.ts';
import { catchRejected, notFoundError, Rejected, requireViewer } from '../shared.ts';

export const removeItineraryItem: MutationResolvers['removeItineraryItem'] = async (
  _parent,
  { id },
  context,
) => {
  requireViewer(context);
  const visible = await loadVisibleItem(context, id);
  if (!visible)
    return { removedItemId: null, trip: null, userErrors: [notFoundError(['id'], 'Itinerary item')] };
  const { item, trip } = visible;
  const result = await catchRejected(() =>
    context.db.transaction().execute(async (trx) => {
      const locked = await lockTripForItems(trx, context, trip, ['id']);
      if (!(await deleteItem(trx, item.id))) throw new Rejected([notFoundError(['id'], 'Itinerary item')]);
      return locked.trip;
    }),
  );
  if (result instanceof Rejected) return { removedItemId: null, trip: null, userErrors: result.userErrors };
  context.loaders.items.clear(item.id).prime(item.id, null);
  await refreshTripLoaders(context, result);
  return { removedItemId: item.id, trip: result, userErrors: [] };
};
