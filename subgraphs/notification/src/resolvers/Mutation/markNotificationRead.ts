import { requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { markNotificationRead as markRead } from '../../inbox/inbox.service.ts';

export const markNotificationRead: MutationResolvers['markNotificationRead'] = (_parent, args, context) => {
  const viewer = requireViewer(context);
  return withUserErrors(() => markRead(context.services, viewer.id, args.id), { notification: null });
};
