import type { TripResolvers } from '../__generated__/resolvers-types.ts';
import { requireCaller } from '../identity.ts';
import type { TripModel } from '../models.ts';
import { suggest } from '../suggestions.ts';

export const Trip: TripResolvers = {
  // The trip subgraph owns trips; here a reference is all there is (plus @requires fields).
  __resolveReference: (reference) => reference as TripModel,

  itinerarySuggestion: async (trip, { preferences }, context) => {
    const owner = requireCaller(context.identity);
    const { destinationCode, startDate, endDate, pace, budget, travelers } = trip;
    if (!destinationCode || !startDate || !endDate || !pace || !budget || travelers === undefined) {
      // Only reachable when called without the gateway's @requires fields.
      throw new Error('Trip.itinerarySuggestion resolved without its required trip fields');
    }
    // Input the caller can fix surfaces as BAD_USER_INPUT on this field (a UserInputError).
    return suggest(context, {
      owner,
      tripId: trip.id,
      fieldPrefix: ['preferences'],
      coordinate: 'Trip.itinerarySuggestion',
      request: {
        destinationCode,
        startDate: String(startDate),
        endDate: String(endDate),
        travelers,
        pace: preferences?.pace ?? pace,
        budget: preferences?.budget ?? budget,
        interests: preferences?.interests ?? [],
      },
    });
  },
};
