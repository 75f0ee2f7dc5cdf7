import { requireViewer } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { markAllRead } from '../../db/notifications.repository.ts';

export const markAllNotificationsRead: MutationResolvers['markAllNotificationsRead'] = async (
  _parent,
  _args,
  context,
) => {
  const viewer = requireViewer(context);
  const count = await markAllRead(context.db, viewer.id);
  if (count > 0) await context.app.cache.invalidate([viewer.id]);
  return { count, userErrors: [] };
};
