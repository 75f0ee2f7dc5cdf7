import { badUserInput, pageSize } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { searchDestinations } from '../../db/destinations.repository.ts';

const SEARCH_MAX = 100;

export const destinations: QueryResolvers['destinations'] = async (_parent, args, context) => {
  const limit = pageSize(args.first);
  if (args.search && args.search.length > SEARCH_MAX) {
    throw badUserInput(`"search" must be at most ${SEARCH_MAX} characters.`, ['search']);
  }
  const rows = await searchDestinations(context.db, { search: args.search, limit });
  for (const row of rows) context.loaders.destinationByCode.prime(row.code, row);
  return rows;
};
