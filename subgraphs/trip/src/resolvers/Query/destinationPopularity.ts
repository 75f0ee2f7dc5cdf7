import { pageSize, requireAnalyticsReader } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { topDestinations } from '../../db/popularity.repository.ts';

const MAX_DAYS = 365;

/** Analysts' view, read from the materialized view on the read pool (never slows the app). */
export const destinationPopularity: QueryResolvers['destinationPopularity'] = async (
  _parent,
  args,
  context,
) => {
  requireAnalyticsReader(context.identity, 'Destination popularity figures');
  const days = pageSize(args.days, 30, MAX_DAYS, 'days');
  const limit = pageSize(args.first);
  return topDestinations(context.readDb, { days, limit });
};
