import type { SearchContext } from '../context.ts';
import type { FlightOffer, FlightQuery, SearchResult, TripReference } from '../models.ts';
import { parseSearchInput, searchableDates, todayUtc } from '../search/search.input.ts';
import { nothingToSearch, tripDates } from '../search/trip-search.ts';
import { flightSearchInput } from './flights.input.ts';

/** Flight offers for one search; equal searches in a request share one (the loader's batch). */
export function searchFlights(
  context: SearchContext,
  query: FlightQuery,
): Promise<SearchResult<FlightOffer>> {
  return context.loaders.flightSearchByQuery.load(query);
}

export interface TripFlightArguments {
  origin: string;
  adults?: number | null;
  maxResults?: number | null;
}

/**
 * Flights to a trip's destination over its dates. The search is the trip's as much as the
 * client's, so it is checked here rather than at the resolver: the destination and dates come
 * from the trip subgraph, and only `origin` is the client's to change.
 */
export function searchTripFlights(
  context: SearchContext,
  trip: TripReference,
  { origin, adults, maxResults }: TripFlightArguments,
): Promise<SearchResult<FlightOffer>> | SearchResult<FlightOffer> {
  const { destinationCode, startDate, endDate } = tripDates(trip);
  const today = todayUtc();
  const searchable = searchableDates(startDate, endDate, today);
  // The arguments are checked even when the dates are not searchable: a bad origin is the
  // client's to fix either way.
  const query = parseSearchInput(
    flightSearchInput({ today, sameCityField: 'origin' }),
    {
      origin,
      destination: destinationCode,
      departureDate: searchable ? startDate : today,
      returnDate: searchable ? endDate : today,
      adults,
      maxResults,
    },
    ['flightOffers'],
  );
  if (!searchable) return nothingToSearch(context.services.search.provider);
  return searchFlights(context, query);
}
