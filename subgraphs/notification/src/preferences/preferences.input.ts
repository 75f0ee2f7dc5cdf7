import { z } from 'zod';
import type { EgressPolicy } from '@traveloure/platform';
import { isTimeOfDay, isTimeZone } from '../delivery/quiet-hours.ts';

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

/** UpdateNotificationPreferencesInput; where a webhook may lead depends on the egress policy. */
export function preferencesUpdateInput(options: { production: boolean; egress: EgressPolicy }) {
  const timeOfDay = (message: string) =>
    z.string().refine(isTimeOfDay, { message, params: { code: 'INVALID_TIME' } });
  return z.object({
    emailEnabled: z.boolean().nullish(),
    webhookUrl: z
      .string()
      .trim()
      .superRefine((url, ctx) => {
        const problem = webhookUrlProblem(url, options);
        if (problem)
          ctx.addIssue({ code: 'custom', message: problem.message, params: { code: problem.code } });
      })
      .nullish(),
    quietHours: z
      .object({
        start: timeOfDay('Start must be HH:MM (24-hour).'),
        end: timeOfDay('End must be HH:MM (24-hour).'),
        timeZone: z
          .string()
          .nullish()
          .transform((zone) => zone ?? 'UTC')
          .refine(isTimeZone, {
            error: (issue) => `Unknown time zone ${String(issue.input)}.`,
            params: { code: 'INVALID_TIME_ZONE' },
          }),
      })
      .nullish(),
  });
}

export type PreferencesUpdate = z.output<ReturnType<typeof preferencesUpdateInput>>;
