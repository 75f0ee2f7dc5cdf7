import type { ProviderName, SearchResult, TripReference } from '../models.ts';

/* What the searches for a trip share (flights.service.ts, hotels.service.ts). */

/** The trip subgraph owns these; without them (a planning bug) nothing can be searched. */
export function tripDates(trip: TripReference) {
  if (!trip.destinationCode || !trip.startDate || !trip.endDate) {
    throw new Error(`Trip ${trip.id} arrived without destinationCode/startDate/endDate`);
  }
  return { destinationCode: trip.destinationCode, startDate: trip.startDate, endDate: trip.endDate };
}

/** A past trip (or one beyond the searchable horizon) has no offers to show: say so, not fail. */
export function nothingToSearch<T>(provider: ProviderName): SearchResult<T> {
  return { offers: [], meta: { provider, cached: false, stale: false, fetchedAt: new Date() } };
}
