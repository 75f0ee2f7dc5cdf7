import DataLoader from 'dataloader';
import { normalizeCacheKey } from '@traveloure/platform';
import type { FlightOffer, FlightQuery, HotelOffer, HotelQuery, SearchResult } from './models.ts';
import type { SearchOptions, SearchService } from './search/search.service.ts';

export interface Loaders {
  /** One search per distinct query in a request (e.g. many trips to the same place). */
  flightSearchByQuery: DataLoader<FlightQuery, SearchResult<FlightOffer>, string>;
  hotelSearchByQuery: DataLoader<HotelQuery, SearchResult<HotelOffer>, string>;
}

/**
 * Per request. Searches are upstream calls, not SQL: a batch runs its distinct searches
 * concurrently (the response cache coalesces them further across requests).
 */
export function createLoaders(search: SearchService, searchOptions: SearchOptions): Loaders {
  const settle =
    <Q, R>(run: (query: Q) => Promise<R>) =>
    async (queries: readonly Q[]) =>
      Promise.all(
        queries.map((query) =>
          run(query).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
        ),
      );
  return {
    flightSearchByQuery: new DataLoader(
      settle((query: FlightQuery) => search.searchFlights(query, searchOptions)),
      {
        cacheKeyFn: normalizeCacheKey,
      },
    ),
    hotelSearchByQuery: new DataLoader(
      settle((query: HotelQuery) => search.searchHotels(query, searchOptions)),
      {
        cacheKeyFn: normalizeCacheKey,
      },
    ),
  };
}
