import type { TripResolvers } from '../__generated__/resolvers-types.ts';
import { searchTripFlights } from '../flights/flights.service.ts';
import { searchTripHotels } from '../hotels/hotels.service.ts';

export const Trip: TripResolvers = {
  // This subgraph stores no trips: the reference (with the @requires fields) is the trip.
  __resolveReference: (reference) => reference,
  flightOffers: (trip, args, context) => searchTripFlights(context, trip, args),
  hotelOffers: (trip, args, context) => searchTripHotels(context, trip, args),
};
