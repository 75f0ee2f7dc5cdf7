import type { UserResolvers } from '../__generated__/resolvers-types.ts';
import { countUnreadNotifications, listNotifications, requireInboxOwner } from '../inbox/inbox.service.ts';
import { notificationPreferencesOf } from '../preferences/preferences.service.ts';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),

  notifications: (user, args, context) => {
    requireInboxOwner(context, user.id);
    return listNotifications(context.services, user.id, args);
  },

  unreadNotificationCount: (user, _args, context) => {
    requireInboxOwner(context, user.id);
    return countUnreadNotifications(context.services, user.id);
  },

  notificationPreferences: (user, _args, context) => {
    requireInboxOwner(context, user.id);
    return notificationPreferencesOf(context.services, user.id);
  },
};
