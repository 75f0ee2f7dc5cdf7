import { dateScalars } from '@traveloure/platform';
import type { Resolvers } from '../__generated__/resolvers-types.ts';
import { Delivery } from './Delivery.ts';
import { Notification } from './Notification.ts';
import { NotificationPreferences } from './NotificationPreferences.ts';
import { User } from './User.ts';
import { notificationStats } from './Query/notificationStats.ts';
import { markNotificationRead } from './Mutation/markNotificationRead.ts';
import { markAllNotificationsRead } from './Mutation/markAllNotificationsRead.ts';
import { updateNotificationPreferences } from './Mutation/updateNotificationPreferences.ts';
import { broadcastEmergencyAlert } from './Mutation/broadcastEmergencyAlert.ts';

export const resolvers: Resolvers = {
  ...dateScalars(),
  Query: { notificationStats },
  Mutation: {
    markNotificationRead,
    markAllNotificationsRead,
    updateNotificationPreferences,
    broadcastEmergencyAlert,
  },
  User,
  Notification,
  Delivery,
  NotificationPreferences,
};
