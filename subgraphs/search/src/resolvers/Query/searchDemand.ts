import { badUserInput, requireAnalyticsReader } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { searchDemand as readSearchDemand } from '../../db/search-log.repository.ts';

/** Analysts, admins and analytics keys only; read from the replica when there is one. */
export const searchDemand: QueryResolvers['searchDemand'] = async (_parent, { days, first }, context) => {
  requireAnalyticsReader(context.identity, 'Search demand figures');
  if (!Number.isInteger(days) || days < 1 || days > 365)
    throw badUserInput(`days must be between 1 and 365; got ${days}.`, ['days']);
  if (!Number.isInteger(first) || first < 1 || first > 100)
    throw badUserInput(`first must be between 1 and 100; got ${first}.`, ['first']);
  await context.search.flushSearchLog();
  return readSearchDemand(context.readDb, { days, first });
};
