import { notFound, requireViewer } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';

export const user: QueryResolvers['user'] = async (_parent, args, context) => {
  requireViewer(context);
  const found = await context.loaders.userById.load(args.id);
  if (!found) throw notFound('User', args.id);
  return found;
};
