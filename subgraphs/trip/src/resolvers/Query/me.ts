import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { requireViewer } from '@traveloure/platform';

export const me: QueryResolvers['me'] = async (_parent, _args, context) => {
  const viewer = requireViewer(context);
  const user = await context.loaders.userById.load(viewer.id);
  // The context provisioned this user before any resolver ran.
  if (!user) throw new Error(`signed-in user ${viewer.id} was not provisioned`);
  return user;
};
