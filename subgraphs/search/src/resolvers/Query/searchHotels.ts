import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { validateHotelSearch } from '../../validation.ts';

export const searchHotels: QueryResolvers['searchHotels'] = (_parent, { input }, context) =>
  context.loaders.hotelSearchByQuery.load(validateHotelSearch(input));
