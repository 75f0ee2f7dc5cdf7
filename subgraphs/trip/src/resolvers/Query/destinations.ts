import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { searchDestinations } from '../../destinations/destinations.service.ts';

export const destinations: QueryResolvers['destinations'] = (_parent, args, context) =>
  searchDestinations(context, args);
