import type { DestinationPopularityResolvers } from '../__generated__/resolvers-types.ts';
import { notFound } from '@traveloure/platform';

export const DestinationPopularity: DestinationPopularityResolvers = {
  destination: async (row, _args, context) => {
    const destination = await context.loaders.destinationByCode.load(row.destination_code);
    if (!destination) throw notFound('Destination', row.destination_code);
    return destination;
  },
  tripCount: (row) => row.trip_count,
  travelerCount: (row) => row.traveler_count,
};
