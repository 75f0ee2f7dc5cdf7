import type { ItineraryItemResolvers } from '../__generated__/resolvers-types.ts';
import { notFound } from '@traveloure/platform';
import { findVisibleItem } from '../itinerary/itinerary.service.ts';

export const ItineraryItem: ItineraryItemResolvers = {
  __resolveReference: (reference, context) => findVisibleItem(context, reference.id),
  trip: async (item, _args, context) => {
    const trip = await context.loaders.tripById.load(item.trip_id);
    if (!trip) throw notFound('Trip', item.trip_id);
    return trip;
  },
  startTime: (item) => item.start_time,
  endTime: (item) => item.end_time,
  cost: (item) =>
    item.cost_amount !== null && item.cost_currency !== null
      ? { amount: item.cost_amount, currency: item.cost_currency }
      : null,
};
