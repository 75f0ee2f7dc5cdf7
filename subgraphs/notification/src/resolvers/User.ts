import { keysetCursor, pageSize, toConnection } from '@traveloure/platform';
import type { UserResolvers } from '../__generated__/resolvers-types.ts';
import { countInbox, listInbox } from '../db/notifications.repository.ts';
import { ensurePreferences } from '../db/preferences.repository.ts';
import type { NotificationModel } from '../models.ts';
import { requireInboxOwner, toIso } from './shared.ts';

/** A cursor of ours holds an ISO instant and a notification id; anything else is refused before SQL. */
function inboxCursor(cursor: string): { createdAt: string; id: string } {
  const { at, id } = keysetCursor.decode(cursor);
  return { createdAt: at, id };
}

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  notifications: async (user, args, context) => {
    requireInboxOwner(context, user.id);
    const size = pageSize(args.first);
    const unreadOnly = args.unreadOnly ?? false;
    const after = args.after ? inboxCursor(args.after) : undefined;
    const page = await context.app.cache.read(
      user.id,
      { page: size, after: args.after ?? null, unreadOnly },
      async () => ({
        rows: await listInbox(context.db, {
          userId: user.id,
          size,
          unreadOnly,
          after,
        }),
        totalCount: await countInbox(context.db, user.id, unreadOnly),
      }),
    );
    return toConnection<NotificationModel>(
      page.rows,
      size,
      (row) => keysetCursor.encode({ at: toIso(row.created_at), id: row.id }),
      page.totalCount,
    );
  },

  unreadNotificationCount: (user, _args, context) => {
    requireInboxOwner(context, user.id);
    return context.app.cache.read(user.id, { unread: true }, () => countInbox(context.db, user.id, true));
  },

  notificationPreferences: (user, _args, context) => {
    requireInboxOwner(context, user.id);
    return ensurePreferences(context.db, user.id);
  },
};
