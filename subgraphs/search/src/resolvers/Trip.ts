import type { TripResolvers } from '../__generated__/resolvers-types.ts';
import type { SearchMeta, TripReference } from '../models.ts';
import { searchableDates, todayUtc, validateFlightSearch, validateHotelSearch } from '../validation.ts';

/** The trip subgraph owns these; without them (a planning bug) nothing can be searched. */
function required(trip: TripReference) {
  if (!trip.destinationCode || !trip.startDate || !trip.endDate) {
    throw new Error(`Trip ${trip.id} arrived without destinationCode/startDate/endDate`);
  }
  return { destinationCode: trip.destinationCode, startDate: trip.startDate, endDate: trip.endDate };
}

/** A past trip (or one beyond the searchable horizon) has no offers to show: say so, not fail. */
function nothingToSearch(provider: SearchMeta['provider']) {
  return { offers: [], meta: { provider, cached: false, stale: false, fetchedAt: new Date() } };
}

export const Trip: TripResolvers = {
  // This subgraph stores no trips: the reference (with the @requires fields) is the trip.
  __resolveReference: (reference) => reference,

  flightOffers: (trip, { origin, adults, maxResults }, context) => {
    const { destinationCode, startDate, endDate } = required(trip);
    const today = todayUtc();
    const searchable = searchableDates(startDate, endDate, today);
    // The arguments are checked even when the dates are not searchable: a bad origin is the
    // client's to fix either way.
    const query = validateFlightSearch(
      {
        origin,
        destination: destinationCode,
        departureDate: searchable ? startDate : today,
        returnDate: searchable ? endDate : today,
        adults,
        maxResults,
      },
      // The destination is the trip's; only origin is the client's to change.
      { path: ['flightOffers'], today, sameCityField: 'origin' },
    );
    if (!searchable) return nothingToSearch(context.search.provider);
    return context.loaders.flightSearchByQuery.load(query);
  },

  hotelOffers: (trip, { adults, maxResults }, context) => {
    const { destinationCode, startDate, endDate } = required(trip);
    if (!searchableDates(startDate, endDate) || endDate <= startDate)
      return nothingToSearch(context.search.provider);
    return context.loaders.hotelSearchByQuery.load(
      validateHotelSearch(
        { cityCode: destinationCode, checkIn: startDate, checkOut: endDate, adults, maxResults },
        { path: ['hotelOffers'] },
      ),
    );
  },
};
