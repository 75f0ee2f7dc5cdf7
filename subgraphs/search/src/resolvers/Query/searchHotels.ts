import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { hotelSearchInput } from '../../hotels/hotels.input.ts';
import { searchHotels as search } from '../../hotels/hotels.service.ts';
import { parseSearchInput } from '../../search/search.input.ts';

export const searchHotels: QueryResolvers['searchHotels'] = (_parent, { input }, context) =>
  search(context, parseSearchInput(hotelSearchInput(), input));
