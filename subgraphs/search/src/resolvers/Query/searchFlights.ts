import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { validateFlightSearch } from '../../validation.ts';

export const searchFlights: QueryResolvers['searchFlights'] = (_parent, { input }, context) =>
  context.loaders.flightSearchByQuery.load(validateFlightSearch(input));
