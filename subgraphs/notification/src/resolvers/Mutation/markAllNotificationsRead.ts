import { requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { markAllNotificationsRead as markAllRead } from '../../inbox/inbox.service.ts';

export const markAllNotificationsRead: MutationResolvers['markAllNotificationsRead'] = (
  _parent,
  _args,
  context,
) => {
  const viewer = requireViewer(context);
  return withUserErrors(() => markAllRead(context.services, viewer.id), { count: 0 });
};
