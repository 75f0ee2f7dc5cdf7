import type { PreferenceRow, PreferenceUpdate } from '../db/database.ts';
import { ensurePreferences, updatePreferences } from '../db/preferences.repository.ts';
import type { NotificationServices } from '../services.ts';
import type { PreferencesUpdate } from './preferences.input.ts';

type PreferenceServices = Pick<NotificationServices, 'db'>;

/** A user's preferences, made with the defaults on first read. */
export function notificationPreferencesOf(
  services: PreferenceServices,
  userId: string,
): Promise<PreferenceRow> {
  return ensurePreferences(services.db, userId);
}

/**
 * Applies what the input sets: an absent field keeps its value, `null` clears the webhook or
 * the quiet hours, and `emailEnabled: null` keeps it (it has no "unset").
 */
export async function updateNotificationPreferences(
  services: PreferenceServices,
  userId: string,
  update: PreferencesUpdate,
): Promise<{ preferences: PreferenceRow }> {
  const changes: PreferenceUpdate = {};
  if (update.emailEnabled !== undefined && update.emailEnabled !== null)
    changes.email_enabled = update.emailEnabled;
  if (update.webhookUrl !== undefined) changes.webhook_url = update.webhookUrl;
  if (update.quietHours === null) Object.assign(changes, { quiet_start: null, quiet_end: null });
  else if (update.quietHours) {
    const { start, end, timeZone } = update.quietHours;
    Object.assign(changes, { quiet_start: start, quiet_end: end, time_zone: timeZone });
  }
  return { preferences: await updatePreferences(services.db, userId, changes) };
}
