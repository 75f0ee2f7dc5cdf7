import { parseInput, requireAnalyticsReader } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { searchDemandArguments } from '../../search-log/search-log.input.ts';
import { searchDemand as readSearchDemand } from '../../search-log/search-log.service.ts';

/** Analysts, admins and analytics keys only. */
export const searchDemand: QueryResolvers['searchDemand'] = (_parent, args, context) => {
  requireAnalyticsReader(context.identity, 'Search demand figures');
  return readSearchDemand(context.services, parseInput(searchDemandArguments, args, []));
};
