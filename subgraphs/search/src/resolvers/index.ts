import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { DateScalar, DateTimeScalar } from '../scalars.ts';
import { Trip } from './Trip.ts';
import { searchFlights } from './Query/searchFlights.ts';
import { searchHotels } from './Query/searchHotels.ts';
import { searchDemand } from './Query/searchDemand.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  Query: { searchFlights, searchHotels, searchDemand },
  Trip,
};
