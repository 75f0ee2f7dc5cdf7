import { searchDemand as readSearchDemand, type DemandRow } from '../db/search-log.repository.ts';
import type { SearchServices } from '../context.ts';

/**
 * The most searched destinations. Reads the replica when there is one, after writing this
 * replica's queued searches, so the figures include every search it served.
 */
export async function searchDemand(
  services: Pick<SearchServices, 'readDb' | 'search'>,
  window: { days: number; first: number },
): Promise<DemandRow[]> {
  await services.search.flushSearchLog();
  return readSearchDemand(services.readDb, window);
}
