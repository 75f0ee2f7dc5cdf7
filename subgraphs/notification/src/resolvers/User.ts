import { badUserInput, decodeCursor, encodeCursor, pageSize, toConnection } from '@traveloure/platform';
import type { UserResolvers } from '../__generated__/resolvers-types.ts';
import { countInbox, listInbox } from '../db/notifications.repository.ts';
import { ensurePreferences } from '../db/preferences.repository.ts';
import type { NotificationModel } from '../models.ts';
import { requireSelf, toIso } from './shared.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** A cursor of ours holds an ISO instant and a notification id; anything else is refused before SQL. */
function inboxCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = decodeCursor(cursor, 2);
  const valid =
    typeof createdAt === 'string' &&
    isoInstant.test(createdAt) &&
    // A real calendar instant (no 30 February): it reads back as written.
    new Date(Date.parse(createdAt) || 0).toISOString().slice(0, 19) === createdAt.slice(0, 19) &&
    typeof id === 'string' &&
    uuid.test(id);
  if (!valid) {
    throw badUserInput('"after" is not a valid cursor.', ['after']);
  }
  return { createdAt, id };
}

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  notifications: async (user, args, context) => {
    requireSelf(context, user.id);
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
      (row) => encodeCursor([toIso(row.created_at), row.id]),
      page.totalCount,
    );
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
