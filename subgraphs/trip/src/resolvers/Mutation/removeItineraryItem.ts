import { requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import * as itinerary from '../../itinerary/itinerary.service.ts';

export const removeItineraryItem: MutationResolvers['removeItineraryItem'] = (_parent, { id }, context) => {
  requireViewer(context);
  return withUserErrors(() => itinerary.removeItineraryItem(context, id), {
    removedItemId: null,
    trip: null,
  });
};
