import { userError, type UserError } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import type { PreferenceUpdate } from '../../db/database.ts';
import { updatePreferences } from '../../db/preferences.repository.ts';
import { isTimeOfDay, isTimeZone } from '../../delivery/quiet-hours.ts';
import { requireViewer } from '../shared.ts';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** https only; plain http to loopback is allowed outside production (local receivers, tests). */
export function webhookUrlProblem(value: string, production: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Webhook URL is not a valid URL.';
  }
  if (value.length > 2_000) return 'Webhook URL is too long (2000 characters at most).';
  if (url.username || url.password) return 'Webhook URL must not carry credentials.';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && !production && loopbackHosts.has(url.hostname)) return undefined;
  return production
    ? 'Webhook URL must use https.'
    : 'Webhook URL must use https (http is allowed only for localhost).';
}

export const updateNotificationPreferences: MutationResolvers['updateNotificationPreferences'] = async (
  _parent,
  { input },
  context,
) => {
  const viewer = requireViewer(context);
  const errors: UserError[] = [];
  const changes: PreferenceUpdate = {};
  if (input.emailEnabled !== undefined && input.emailEnabled !== null)
    changes.email_enabled = input.emailEnabled;
  if (input.webhookUrl === null) changes.webhook_url = null;
  else if (input.webhookUrl !== undefined) {
    const problem = webhookUrlProblem(input.webhookUrl.trim(), context.app.config.NODE_ENV === 'production');
    if (problem) errors.push(userError(['input', 'webhookUrl'], problem, 'INVALID_WEBHOOK_URL'));
    else changes.webhook_url = input.webhookUrl.trim();
  }
  if (input.quietHours === null) {
    Object.assign(changes, { quiet_start: null, quiet_end: null });
  } else if (input.quietHours) {
    const { start, end, timeZone } = input.quietHours;
    if (!isTimeOfDay(start))
      errors.push(
        userError(['input', 'quietHours', 'start'], 'Start must be HH:MM (24-hour).', 'INVALID_TIME'),
      );
    if (!isTimeOfDay(end))
      errors.push(userError(['input', 'quietHours', 'end'], 'End must be HH:MM (24-hour).', 'INVALID_TIME'));
    const zone = timeZone ?? 'UTC';
    if (!isTimeZone(zone))
      errors.push(
        userError(['input', 'quietHours', 'timeZone'], `Unknown time zone ${zone}.`, 'INVALID_TIME_ZONE'),
      );
    Object.assign(changes, { quiet_start: start, quiet_end: end, time_zone: zone });
  }
  if (errors.length > 0) return { preferences: null, userErrors: errors };
  const preferences = await updatePreferences(context.db, viewer.id, changes);
  return { preferences, userErrors: [] };
};
