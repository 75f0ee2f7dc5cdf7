import { decodeCursor, encodeCursor, pageSize, toConnection } from '@traveloure/platform';
import type { UserResolvers } from '../__generated__/resolvers-types.ts';
import { countInbox, listInbox } from '../db/notifications.repository.ts';
import { ensurePreferences } from '../db/preferences.repository.ts';
import type { NotificationModel } from '../models.ts';
import { requireSelf, toIso } from './shared.ts';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  notifications: async (user, args, context) => {
    requireSelf(context, user.id);
    const size = pageSize(args.first);
    const unreadOnly = args.unreadOnly ?? false;
    const after = args.after ? decodeCursor(args.after, 2) : undefined;
    const page = await context.app.cache.read(user.id, { page: size, after: args.after ?? null, unreadOnly }, async () => ({
      rows: await listInbox(context.db, {
        userId: user.id,
        size,
        unreadOnly,
        after: after ? { createdAt: String(after[0]), id: String(after[1]) } : undefined,
      }),
      totalCount: await countInbox(context.db, user.id, unreadOnly),
    }));
    return toConnection<NotificationModel>(page.rows, size, (row) => encodeCursor([toIso(row.created_at), row.id]), page.totalCount);
  },

  unreadNotificationCount: (user, _args, context) => {
    requireSelf(context, user.id);
    return context.app.cache.read(user.id, { unread: true }, () => countInbox(context.db, user.id, true));
  },

  notificationPreferences: (user, _args, context) => {
    requireSelf(context, user.id);
    return ensurePreferences(context.db, user.id);
  },
};
