import type { NotificationPreferencesResolvers } from '../__generated__/resolvers-types.ts';

export const NotificationPreferences: NotificationPreferencesResolvers = {
  emailEnabled: (row) => row.email_enabled,
  webhookUrl: (row) => row.webhook_url,
  webhookSigningSecret: (row) => row.webhook_secret,
  quietHours: (row) =>
    row.quiet_start && row.quiet_end
      ? { start: row.quiet_start, end: row.quiet_end, timeZone: row.time_zone }
      : null,
};
