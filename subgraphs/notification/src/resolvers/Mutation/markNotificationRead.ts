import { isUuid, requireViewer, userError } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { markRead } from '../../db/notifications.repository.ts';

export const markNotificationRead: MutationResolvers['markNotificationRead'] = async (
  _parent,
  args,
  context,
) => {
  const viewer = requireViewer(context);
  // Another user's notification is reported exactly like a missing one.
  const row = isUuid(args.id) ? await markRead(context.db, viewer.id, args.id) : undefined;
  if (!row) {
    return {
      notification: null,
      userErrors: [userError(['id'], `Notification ${args.id} was not found.`, 'NOT_FOUND')],
    };
  }
  await context.app.cache.invalidate([viewer.id]);
  return { notification: row, userErrors: [] };
};
