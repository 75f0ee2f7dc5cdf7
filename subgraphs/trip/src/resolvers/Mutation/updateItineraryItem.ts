import { requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import * as itinerary from '../../itinerary/itinerary.service.ts';

export const updateItineraryItem: MutationResolvers['updateItineraryItem'] = (
  _parent,
  { id, input },
  context,
) => {
  requireViewer(context);
  return withUserErrors(() => itinerary.updateItineraryItem(context, id, input), { item: null, trip: null });
};
