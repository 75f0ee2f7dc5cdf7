import type { NotificationPreferencesResolvers } from '../__generated__/resolvers-types.ts';
import { quietHoursOf } from '../delivery/quiet-hours.ts';

export const NotificationPreferences: NotificationPreferencesResolvers = {
  emailEnabled: (row) => row.email_enabled,
  webhookUrl: (row) => row.webhook_url,
  webhookSigningSecret: (row) => row.webhook_secret,
  quietHours: (row) => quietHoursOf(row) ?? null,
};
