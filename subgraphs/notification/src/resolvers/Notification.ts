import type { NotificationResolvers } from '../__generated__/resolvers-types.ts';

export const Notification: NotificationResolvers = {
  // Someone else's notification resolves to null: its existence is not disclosed.
  __resolveReference: async (reference, context) => {
    if (!context.viewer) return null;
    const row = await context.loaders.notificationById.load(reference.id);
    return row && row.user_id === context.viewer.id ? row : null;
  },
  createdAt: (row) => row.created_at,
  readAt: (row) => row.read_at,
  deliveries: (row, _args, context) => context.loaders.deliveriesByNotificationId.load(row.id),
};
