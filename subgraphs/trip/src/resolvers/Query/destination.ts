import { notFound } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';

export const destination: QueryResolvers['destination'] = async (_parent, args, context) => {
  const found = await context.loaders.destinationByCode.load(args.code.trim().toUpperCase());
  if (!found) throw notFound('Destination', args.code);
  return found;
};
