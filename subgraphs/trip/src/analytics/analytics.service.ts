import { pageSize } from '@traveloure/platform';
import type { TripContext } from '../context.ts';
import { topDestinations, type PopularityRow } from '../db/popularity.repository.ts';

const MAX_DAYS = 365;
/** More than there are destinations: with regions apart, each database gives all its rows. */
const EVERY_DESTINATION = 100_000;

/**
 * The most travelled-to destinations of the last `days`, from the materialized view on the read
 * pool (never slows the app). With regions in databases of their own, each region's view counts
 * its trips: the home database's is read on DATABASE_READ_URL, the others on their own database,
 * and the counts are added up before ranking (a top list per region would miss a destination
 * that is second everywhere).
 */
export async function rankDestinations(
  context: TripContext,
  args: { days?: number | null; first?: number | null },
): Promise<PopularityRow[]> {
  const days = pageSize(args.days, 30, MAX_DAYS, 'days');
  const limit = pageSize(args.first);
  if (context.services.regions.single) return topDestinations(context.services.readDb, { days, limit });
  const perRegion = await Promise.all(
    context.services.regions.databases.map((database) =>
      topDestinations(database.home ? context.services.readDb : database.db, {
        days,
        limit: EVERY_DESTINATION,
      }),
    ),
  );
  const totals = new Map<string, PopularityRow>();
  for (const row of perRegion.flat()) {
    const total = totals.get(row.destination_code);
    if (total) {
      total.trip_count += row.trip_count;
      total.traveler_count += row.traveler_count;
    } else totals.set(row.destination_code, { ...row });
  }
  return [...totals.values()]
    .sort(
      (a, b) =>
        b.trip_count - a.trip_count ||
        b.traveler_count - a.traveler_count ||
        a.destination_code.localeCompare(b.destination_code, 'en'),
    )
    .slice(0, limit);
}
