import { requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import * as itinerary from '../../itinerary/itinerary.service.ts';

export const addItineraryItem: MutationResolvers['addItineraryItem'] = (
  _parent,
  { tripId, input },
  context,
) => {
  requireViewer(context);
  return withUserErrors(() => itinerary.addItineraryItem(context, tripId, input), { item: null, trip: null });
};
