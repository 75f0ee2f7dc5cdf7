import { notFound, requireViewer } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';

export const trip: QueryResolvers['trip'] = async (_parent, args, context) => {
  requireViewer(context);
  // The loader sees only the viewer's trips: someone else's answers exactly like a missing one.
  const found = await context.loaders.tripById.load(args.id);
  if (!found) throw notFound('Trip', args.id);
  return found;
};
