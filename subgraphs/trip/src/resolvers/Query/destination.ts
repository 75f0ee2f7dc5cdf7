import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { findDestination } from '../../destinations/destinations.service.ts';

export const destination: QueryResolvers['destination'] = (_parent, args, context) =>
  findDestination(context, args.code);
