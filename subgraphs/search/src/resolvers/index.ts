import { dateScalars } from '@traveloure/platform';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Trip } from './Trip.ts';
import { searchFlights } from './Query/searchFlights.ts';
import { searchHotels } from './Query/searchHotels.ts';
import { searchDemand } from './Query/searchDemand.ts';

export const resolvers: Resolvers = {
  ...dateScalars(),
  Query: { searchFlights, searchHotels, searchDemand },
  Trip,
};
