import { badUserInput, notFound, pageSize } from '@traveloure/platform';
import type { TripContext } from '../context.ts';
import type { DestinationRow } from '../db/database.ts';
import { searchDestinations as searchDestinationRows } from '../db/destinations.repository.ts';
import { normalizeDestinationCode } from './destination-code.ts';

const SEARCH_MAX = 100;

export async function findDestination(context: TripContext, code: string): Promise<DestinationRow> {
  const found = await context.loaders.destinationByCode.load(normalizeDestinationCode(code));
  if (!found) throw notFound('Destination', code);
  return found;
}

/** Destinations matching `search` (all when absent); later reads in the request reuse the rows. */
export async function searchDestinations(
  context: TripContext,
  args: { search?: string | null; first?: number | null },
): Promise<DestinationRow[]> {
  const limit = pageSize(args.first);
  if (args.search && args.search.length > SEARCH_MAX) {
    throw badUserInput(`"search" must be at most ${SEARCH_MAX} characters.`, ['search']);
  }
  const rows = await searchDestinationRows(context.services.db, { search: args.search, limit });
  for (const row of rows) context.loaders.destinationByCode.prime(row.code, row);
  return rows;
}
