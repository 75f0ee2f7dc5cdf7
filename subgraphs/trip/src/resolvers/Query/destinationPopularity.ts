import { requireAnalyticsReader } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { rankDestinations } from '../../analytics/analytics.service.ts';

/** Analysts' view. */
export const destinationPopularity: QueryResolvers['destinationPopularity'] = (_parent, args, context) => {
  requireAnalyticsReader(context.identity, 'Destination popularity figures');
  return rankDestinations(context, args);
};
