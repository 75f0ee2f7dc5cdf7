import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { flightSearchInput } from '../../flights/flights.input.ts';
import { searchFlights as search } from '../../flights/flights.service.ts';
import { parseSearchInput } from '../../search/search.input.ts';

export const searchFlights: QueryResolvers['searchFlights'] = (_parent, { input }, context) =>
  search(context, parseSearchInput(flightSearchInput(), input));
