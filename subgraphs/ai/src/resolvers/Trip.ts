import { parseInput } from '@traveloure/platform';
import type { TripResolvers } from '../__generated__/resolvers-types.ts';
import { requireCaller } from '../identity.ts';
import type { TripModel } from '../models.ts';
import { planRequestInput } from '../suggestions/suggestions.input.ts';
import { suggestItinerary } from '../suggestions/suggestions.service.ts';

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
    // The trip's fields with the caller's preferences over them, checked as one request: input
    // the caller can fix surfaces as BAD_USER_INPUT on this field (a UserInputError).
    const request = parseInput(
      planRequestInput,
      {
        destinationCode,
        startDate: String(startDate),
        endDate: String(endDate),
        travelers,
        pace: preferences?.pace ?? pace,
        budget: preferences?.budget ?? budget,
        interests: preferences?.interests ?? [],
      },
      ['preferences'],
    );
    return suggestItinerary(context, {
      owner,
      tripId: trip.id,
      request,
      inputPath: ['preferences'],
      coordinate: 'Trip.itinerarySuggestion',
    });
  },
};
