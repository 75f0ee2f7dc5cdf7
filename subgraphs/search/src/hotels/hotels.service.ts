import type { SearchContext } from '../context.ts';
import type { HotelOffer, HotelQuery, SearchResult, TripReference } from '../models.ts';
import { parseSearchInput, searchableDates } from '../search/search.input.ts';
import { nothingToSearch, tripDates } from '../search/trip-search.ts';
import { hotelSearchInput } from './hotels.input.ts';

/** Hotel offers for one search; equal searches in a request share one (the loader's batch). */
export function searchHotels(context: SearchContext, query: HotelQuery): Promise<SearchResult<HotelOffer>> {
  return context.loaders.hotelSearchByQuery.load(query);
}

export interface TripHotelArguments {
  adults?: number | null;
  maxResults?: number | null;
}

/** Hotels in a trip's destination for its nights; the stay is the trip's (see searchTripFlights). */
export function searchTripHotels(
  context: SearchContext,
  trip: TripReference,
  { adults, maxResults }: TripHotelArguments,
): Promise<SearchResult<HotelOffer>> | SearchResult<HotelOffer> {
  const { destinationCode, startDate, endDate } = tripDates(trip);
  if (!searchableDates(startDate, endDate) || endDate <= startDate)
    return nothingToSearch(context.services.search.provider);
  return searchHotels(
    context,
    parseSearchInput(
      hotelSearchInput(),
      { cityCode: destinationCode, checkIn: startDate, checkOut: endDate, adults, maxResults },
      ['hotelOffers'],
    ),
  );
}
