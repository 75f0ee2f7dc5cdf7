import { type EgressPolicy, requireViewer, userError, type UserError } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import type { PreferenceUpdate } from '../../db/database.ts';
import { updatePreferences } from '../../db/preferences.repository.ts';
import { isTimeOfDay, isTimeZone } from '../../delivery/quiet-hours.ts';

export interface WebhookUrlProblem {
  message: string;
  /** INVALID_WEBHOOK_URL (malformed, not https, credentials) or WEBHOOK_URL_NOT_ALLOWED (internal address). */
  code: 'INVALID_WEBHOOK_URL' | 'WEBHOOK_URL_NOT_ALLOWED';
}

/**
 * https only, to an address the egress policy lets out (no loopback, private, link-local,
 * metadata, ...). Plain http only to loopback, only when the policy opens loopback and never
 * in production. Delivery checks the address it resolves to again.
 */
export function webhookUrlProblem(
  value: string,
  options: { production: boolean; egress: EgressPolicy },
): WebhookUrlProblem | undefined {
  const invalid = (message: string): WebhookUrlProblem => ({ message, code: 'INVALID_WEBHOOK_URL' });
  if (value.length > 2_000) return invalid('Webhook URL is too long (2000 characters at most).');
  const problem = options.egress.checkUrl(value);
  if (!problem && options.production && value.toLowerCase().startsWith('http:'))
    return invalid('Webhook URL must use https.');
  switch (problem?.code) {
    case undefined:
      return undefined;
    case 'INVALID_URL':
      return invalid('Webhook URL is not a valid URL.');
    case 'CREDENTIALS_NOT_ALLOWED':
      return invalid('Webhook URL must not carry credentials.');
    case 'SCHEME_NOT_ALLOWED':
      return invalid(
        options.egress.allowLoopback && !options.production
          ? 'Webhook URL must use https (http is allowed only to loopback).'
          : 'Webhook URL must use https.',
      );
    case 'ADDRESS_NOT_ALLOWED':
      return {
        message:
          'Webhook URL points to an address that is not allowed (loopback, private, link-local, metadata or another internal network).',
        code: 'WEBHOOK_URL_NOT_ALLOWED',
      };
  }
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
    const problem = webhookUrlProblem(input.webhookUrl.trim(), {
      production: context.app.config.NODE_ENV === 'production',
      egress: context.app.egress,
    });
    if (problem) errors.push(userError(['input', 'webhookUrl'], problem.message, problem.code));
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
