import { pageSize } from '@traveloure/platform';
import type { TripContext } from '../context.ts';
import { topDestinations, type PopularityRow } from '../db/popularity.repository.ts';

const MAX_DAYS = 365;

/** The most travelled-to destinations of the last `days`, from the materialized view on the read pool (never slows the app). */
export function rankDestinations(
  context: TripContext,
  args: { days?: number | null; first?: number | null },
): Promise<PopularityRow[]> {
  const days = pageSize(args.days, 30, MAX_DAYS, 'days');
  const limit = pageSize(args.first);
  return topDestinations(context.services.readDb, { days, limit });
}
