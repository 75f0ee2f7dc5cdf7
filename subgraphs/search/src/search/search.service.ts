import { counter, type DataCache } from '@traveloure/platform';
import type { NewSearchLogRow } from '../db/database.ts';
import type { SearchLogWriter } from '../search-log/search-log-writer.ts';
import type {
  FlightOffer,
  FlightQuery,
  HotelOffer,
  HotelQuery,
  SearchProvider,
  SearchResult,
} from '../models.ts';

export interface SearchServiceOptions {
  provider: SearchProvider;
  flights: DataCache;
  hotels: DataCache;
  /** Where served searches are logged (write-behind: a search never waits for it). */
  searchLog: SearchLogWriter;
  ttlSeconds: number;
  /** How old (since fetched) a result may be and still be served stale while the provider fails. */
  staleTtlSeconds: number;
}

export interface SearchOptions {
  /** The signed-in traveler, for the search log. */
  userId?: string;
  /** Cache warming: refresh the entry and leave no trace in the search log. */
  warming?: boolean;
}

const searchesTotal = counter(
  'search_requests_total',
  'Searches served, by kind, provider and cache outcome',
  ['service', 'kind', 'provider', 'outcome'],
);

/**
 * Searches through the response cache (keyed by provider and the normalized query), so
 * identical searches share one upstream call and an upstream outage serves the last good
 * result with meta.stale. Each search served is logged for demand analytics and warming,
 * behind the answer: the row is queued and written in batches (see createSearchLogWriter).
 */
export function createSearchService(options: SearchServiceOptions) {
  const { provider, searchLog } = options;

  async function run<Q extends object, T>(
    kind: 'FLIGHT' | 'HOTEL',
    cache: DataCache,
    query: Q,
    tags: string[],
    load: () => Promise<T[]>,
    searchOptions: SearchOptions,
    logRow: (result: SearchResult<T>) => NewSearchLogRow,
  ): Promise<SearchResult<T>> {
    const entry = await cache.get({ provider: provider.name, ...query }, load, {
      ttlSeconds: options.ttlSeconds,
      // The cache counts its stale window from the end of freshness; the promise is an age.
      staleTtlSeconds: Math.max(0, options.staleTtlSeconds - options.ttlSeconds),
      tags,
      forceRefresh: searchOptions.warming,
    });
    const result: SearchResult<T> = {
      offers: entry.value,
      meta: { provider: provider.name, cached: entry.cached, stale: entry.stale, fetchedAt: entry.fetchedAt },
    };
    const outcome = entry.stale ? 'stale' : entry.cached ? 'hit' : 'miss';
    searchesTotal.inc({ service: 'search', kind, provider: provider.name, outcome });
    if (!searchOptions.warming) searchLog.record(logRow(result));
    return result;
  }

  return {
    provider: provider.name,

    /** Writes the searches queued so far: analytics reads see every search this replica served. */
    flushSearchLog: () => searchLog.flush(),

    searchFlights(query: FlightQuery, searchOptions: SearchOptions = {}): Promise<SearchResult<FlightOffer>> {
      return run(
        'FLIGHT',
        options.flights,
        query,
        [`destination:${query.destination}`],
        () => provider.searchFlights(query),
        searchOptions,
        (result) => ({
          kind: 'FLIGHT',
          destination_code: query.destination,
          origin_code: query.origin,
          start_date: query.departureDate,
          end_date: query.returnDate,
          adults: query.adults,
          rooms: null,
          user_id: searchOptions.userId ?? null,
          provider: result.meta.provider,
          cached: result.meta.cached,
          stale: result.meta.stale,
          result_count: result.offers.length,
        }),
      );
    },

    searchHotels(query: HotelQuery, searchOptions: SearchOptions = {}): Promise<SearchResult<HotelOffer>> {
      return run(
        'HOTEL',
        options.hotels,
        query,
        [`destination:${query.cityCode}`],
        () => provider.searchHotels(query),
        searchOptions,
        (result) => ({
          kind: 'HOTEL',
          destination_code: query.cityCode,
          origin_code: null,
          start_date: query.checkIn,
          end_date: query.checkOut,
          adults: query.adults,
          rooms: query.rooms,
          user_id: searchOptions.userId ?? null,
          provider: result.meta.provider,
          cached: result.meta.cached,
          stale: result.meta.stale,
          result_count: result.offers.length,
        }),
      );
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
