import type { ItineraryItemResolvers } from '../__generated__/resolvers-types.ts';
import { notFound } from '@traveloure/platform';

export const ItineraryItem: ItineraryItemResolvers = {
  // Visible exactly when its trip is: the trip loader applies the owner/admin rule.
  __resolveReference: async (reference, context) => {
    const item = await context.loaders.itemById.load(reference.id);
    if (!item) return null;
    return (await context.loaders.tripById.load(item.trip_id)) ? item : null;
  },
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
