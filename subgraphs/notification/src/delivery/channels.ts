import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import {
  EgressRefusedError,
  EgressResponseTooLargeError,
  UpstreamError,
  createUpstream,
  isNetworkError,
  isRetryableStatus,
  type EgressPolicy,
  type Health,
} from '@traveloure/platform';
import type { DeliveryTarget } from '../db/notifications.repository.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './signing.ts';

export interface ChannelSettings {
  smtpUrl?: string;
  smtpFrom: string;
  smtpTimeoutMs: number;
  webhookTimeoutMs: number;
  /** The receiver's answer is read up to this size; a larger one fails the delivery. */
  webhookMaxResponseBytes: number;
  /** Where webhooks may go: the URL a traveler gave is checked again on every delivery. */
  egress: EgressPolicy;
}

export interface PushChannels {
  email(target: DeliveryTarget): Promise<void>;
  webhook(target: DeliveryTarget): Promise<void>;
  close(): void;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );

/** The webhook body: what a receiver gets (and signs over). */
export function webhookPayload(target: DeliveryTarget) {
  return {
    id: target.id,
    userId: target.user_id,
    kind: target.kind,
    severity: target.severity,
    title: target.title,
    body: target.body,
    createdAt: new Date(target.created_at).toISOString(),
  };
}

/**
 * SMTP (nodemailer) and webhook (egress policy) senders, each through the shared upstream
 * wrapper for its timeout and (SMTP) circuit breaker. They do not retry: the delivery queue does, with
 * backoff, so every attempt shows in Notification.deliveries. Failures become UpstreamErrors
 * whose `retryable` says whether another attempt can help.
 */
export function createPushChannels(
  settings: ChannelSettings,
  logger: Logger,
  health: Health | undefined,
): PushChannels {
  const transport = settings.smtpUrl
    ? nodemailer.createTransport(settings.smtpUrl, {
        connectionTimeout: settings.smtpTimeoutMs,
        greetingTimeout: settings.smtpTimeoutMs,
        socketTimeout: settings.smtpTimeoutMs,
      } as never)
    : nodemailer.createTransport({ jsonTransport: true });
  if (!settings.smtpUrl) logger.info('SMTP_URL is not set: emails are logged, not sent');

  const smtp = createUpstream({
    name: 'smtp',
    logger,
    health,
    timeoutMs: settings.smtpTimeoutMs,
    breaker: { failureRateThreshold: 0.5, minimumCalls: 10, windowMs: 30_000, halfOpenAfterMs: 10_000 },
  });
  // No breaker: one broken receiver must not stop deliveries to everyone else.
  const webhooks = createUpstream({ name: 'webhook', logger, timeoutMs: settings.webhookTimeoutMs });

  return {
    async email(target) {
      if (!target.email) {
        throw new UpstreamError({
          upstream: 'smtp',
          detail: 'no email address known for this traveler',
          retryable: false,
        });
      }
      await smtp.call(async () => {
        try {
          const info = await transport.sendMail({
            from: settings.smtpFrom,
            to: target.name ? { name: target.name, address: target.email! } : target.email!,
            subject: target.title,
            text: `${target.body}\n\n-- Traveloure (${target.kind.toLowerCase().replace(/_/g, ' ')})`,
            html: `<p>${escapeHtml(target.body).replace(/\n/g, '<br>')}</p><p style="color:#888">Traveloure</p>`,
            headers: { 'X-Traveloure-Notification-Id': target.id, 'X-Traveloure-Severity': target.severity },
          });
          if (!settings.smtpUrl)
            logger.info(
              { notificationId: target.id, to: target.email, message: info.message?.toString() },
              'email (not sent: no SMTP_URL)',
            );
        } catch (error) {
          const responseCode = (error as { responseCode?: number }).responseCode;
          // 4xx replies are temporary by SMTP's own definition; 5xx are final.
          const retryable = responseCode ? responseCode < 500 : true;
          throw new UpstreamError({
            upstream: 'smtp',
            detail: error instanceof Error ? error.message : String(error),
            retryable,
            status: responseCode,
            cause: error,
          });
        }
      });
    },

    async webhook(target) {
      if (!target.webhook_url || !target.webhook_secret) {
        throw new UpstreamError({
          upstream: 'webhook',
          detail: 'no webhook URL configured',
          retryable: false,
        });
      }
      const body = JSON.stringify(webhookPayload(target));
      // Wall-clock time, not the business clock: receivers compare it with theirs to refuse replays.
      const timestamp = Math.floor(Date.now() / 1000);
      await webhooks.call(async (signal) => {
        let response: { status: number };
        try {
          response = await settings.egress.request(target.webhook_url!, {
            method: 'POST',
            body,
            signal,
            timeoutMs: settings.webhookTimeoutMs,
            maxResponseBytes: settings.webhookMaxResponseBytes,
            headers: {
              'content-type': 'application/json',
              'user-agent': 'Traveloure-Webhooks/1',
              'x-traveloure-delivery': target.id,
              [TIMESTAMP_HEADER]: String(timestamp),
              [SIGNATURE_HEADER]: signWebhook(target.webhook_secret!, timestamp, body),
            },
          });
        } catch (error) {
          if (signal.aborted) throw error;
          if (error instanceof EgressRefusedError) {
            // Saved before the policy, or a name now resolving inside: no retry can change that,
            // and the traveler sees only that the address is refused, not what is behind it.
            logger.warn(
              { notificationId: target.id, host: error.host, range: error.range },
              'webhook address refused by the egress policy',
            );
            throw new UpstreamError({
              upstream: 'webhook',
              detail: error.message,
              retryable: false,
              cause: error,
            });
          }
          if (error instanceof EgressResponseTooLargeError) {
            throw new UpstreamError({
              upstream: 'webhook',
              detail: `receiver answered with more than ${error.limitBytes} bytes`,
              retryable: false,
              cause: error,
            });
          }
          throw new UpstreamError({
            upstream: 'webhook',
            detail:
              error instanceof Error
                ? `${error.message}${isNetworkError(error) ? ' (network)' : ''}`
                : String(error),
            retryable: true,
            cause: error,
          });
        }
        if (response.status >= 300 && response.status < 400) {
          throw new UpstreamError({
            upstream: 'webhook',
            detail: `receiver answered HTTP ${response.status} (redirects are not followed)`,
            status: response.status,
            retryable: false,
          });
        }
        if (response.status < 200 || response.status >= 300) {
          throw new UpstreamError({
            upstream: 'webhook',
            detail: `receiver answered HTTP ${response.status}`,
            status: response.status,
            retryable: isRetryableStatus(response.status),
          });
        }
      });
    },

    close() {
      transport.close();
    },
  };
}
