import {
  isUuid,
  keysetCursor,
  pageSize,
  rejectInput,
  requireSelf,
  toConnection,
  userError,
  type Viewer,
} from '@traveloure/platform';
import type { NotificationContext } from '../context.ts';
import type { NotificationRow } from '../db/database.ts';
import { countInbox, listInbox, markAllRead, markRead } from '../db/notifications.repository.ts';
import type { NotificationModel } from '../models.ts';
import type { NotificationServices } from '../services.ts';

type InboxServices = Pick<NotificationServices, 'db' | 'cache'>;

/** Inbox and preferences are private: only the user themselves sees them. */
export const requireInboxOwner = (context: NotificationContext, userId: string): Viewer =>
  requireSelf(context, userId, 'Only the user themselves can see their notifications.');

const toIso = (value: Date | string) => new Date(value).toISOString();

/** A cursor of ours holds an ISO instant and a notification id; anything else is refused before SQL. */
function inboxCursor(cursor: string): { createdAt: string; id: string } {
  const { at, id } = keysetCursor.decode(cursor);
  return { createdAt: at, id };
}

export interface InboxPageArguments {
  first?: number | null;
  after?: string | null;
  unreadOnly?: boolean | null;
}

/** One page of a user's inbox, newest first, through the inbox cache. */
export async function listNotifications(services: InboxServices, userId: string, args: InboxPageArguments) {
  const size = pageSize(args.first);
  const unreadOnly = args.unreadOnly ?? false;
  const after = args.after ? inboxCursor(args.after) : undefined;
  const page = await services.cache.read(
    userId,
    { page: size, after: args.after ?? null, unreadOnly },
    async () => ({
      rows: await listInbox(services.db, { userId, size, unreadOnly, after }),
      totalCount: await countInbox(services.db, userId, unreadOnly),
    }),
  );
  return toConnection<NotificationModel>(
    page.rows,
    size,
    (row) => keysetCursor.encode({ at: toIso(row.created_at), id: row.id }),
    page.totalCount,
  );
}

export function countUnreadNotifications(services: InboxServices, userId: string): Promise<number> {
  return services.cache.read(userId, { unread: true }, () => countInbox(services.db, userId, true));
}

/** Marks one of the user's notifications read; another user's is reported exactly like a missing one. */
export async function markNotificationRead(
  services: InboxServices,
  userId: string,
  id: string,
): Promise<{ notification: NotificationRow }> {
  const row = isUuid(id) ? await markRead(services.db, userId, id) : undefined;
  if (!row) rejectInput(userError(['id'], `Notification ${id} was not found.`, 'NOT_FOUND'));
  await services.cache.invalidate([userId]);
  return { notification: row };
}

export async function markAllNotificationsRead(
  services: InboxServices,
  userId: string,
): Promise<{ count: number }> {
  const count = await markAllRead(services.db, userId);
  if (count > 0) await services.cache.invalidate([userId]);
  return { count };
}
