import { createDataCache, type Logger, type Redis, type DataCache } from '@traveloure/platform';

/** Inbox pages and unread counts, cached per user and dropped on every change to that inbox. */
export interface InboxCache {
  read<T>(userId: string, key: Record<string, unknown>, loader: () => Promise<T>): Promise<T>;
  invalidate(userIds: string[]): Promise<void>;
  close(): Promise<void>;
}

export const inboxTag = (userId: string) => `inbox:${userId}`;

export function createInboxCache(options: {
  redis?: Redis;
  logger: Logger;
  ttlSeconds: number;
  keyPrefix: string;
}): InboxCache {
  const cache: DataCache = createDataCache({
    service: 'notification',
    namespace: 'inbox',
    redis: options.redis,
    logger: options.logger,
    keyPrefix: options.keyPrefix,
    // Short L1: another replica's (or the worker's) invalidation reaches this one through Redis.
    l1TtlMs: 2_000,
  });
  return {
    read: async (userId, key, loader) =>
      (
        await cache.get({ userId, ...key }, loader, {
          ttlSeconds: options.ttlSeconds,
          staleTtlSeconds: 0,
          tags: [inboxTag(userId)],
        })
      ).value,
    // `user:<id>` too: the gateway keeps answers about a user under that tag (an unread count
    // it holds goes with the inbox's change).
    invalidate: (userIds) =>
      cache.invalidateTags([...new Set(userIds)].flatMap((userId) => [inboxTag(userId), `user:${userId}`])),
    close: () => cache.close(),
  };
}
