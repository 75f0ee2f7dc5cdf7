import { z } from 'zod';
// Narrow imports: npm start checks every service's config before it loads any service.
import { baseConfigShape, env } from '@traveloure/platform/config';
import { eventsConfigShape } from '@traveloure/platform/events/config';

/** Settings of the notification subgraph and its workers (docs/notification.md lists every one). */
export const notificationConfigSchema = z.object({
  ...baseConfigShape,
  ...eventsConfigShape,
  NOTIFICATION_PORT: env.port(4004),
  /** Run the queue workers inside the service process (off when they run alone: `npm run worker`). */
  NOTIFICATION_WORKERS: env.boolean(true),
  NOTIFY_QUEUE_IN_APP: z.string().min(1).default('notify-in-app'),
  NOTIFY_QUEUE_EMAIL: z.string().min(1).default('notify-email'),
  NOTIFY_QUEUE_WEBHOOK: z.string().min(1).default('notify-webhook'),
  NOTIFY_QUEUE_REMINDERS: z.string().min(1).default('notify-reminders'),
  NOTIFY_QUEUE_BROADCASTS: z.string().min(1).default('notify-broadcasts'),
  EVENTS_CONCURRENCY: env.int(1, 1, 100),
  IN_APP_CONCURRENCY: env.int(20, 1, 500),
  EMAIL_CONCURRENCY: env.int(5, 1, 500),
  WEBHOOK_CONCURRENCY: env.int(10, 1, 500),
  REMINDER_CONCURRENCY: env.int(5, 1, 100),
  BROADCAST_CONCURRENCY: env.int(2, 1, 20),
  /**
   * First retry delay of EMAIL and WEBHOOK pushes, doubling (30 s: five attempts span about
   * 7.5 minutes, so a mail relay or receiver restarting does not make every push DEAD).
   */
  PUSH_BACKOFF_MS: env.int(30_000, 1),
  /** smtp://user:pass@host:port (smtps:// for TLS). Unset: emails go to the log (development). */
  SMTP_URL: z.url().optional(),
  SMTP_FROM: z.string().min(3).default('Traveloure <no-reply@traveloure.example>'),
  SMTP_TIMEOUT_MS: env.int(10_000, 100),
  WEBHOOK_TIMEOUT_MS: env.int(5_000, 100),
  /** A receiver's answer is read up to this many bytes; a larger one fails the delivery. */
  WEBHOOK_MAX_RESPONSE_BYTES: env.int(65_536, 1_024, 10_485_760),
  /**
   * Let webhooks (URLs users supply) reach loopback (127.0.0.0/8, ::1, localhost), with plain
   * http there outside production: local development and tests with a receiver on this
   * machine. Off by default, production included; private, link-local and metadata addresses
   * stay refused even when on.
   */
  EGRESS_ALLOW_LOOPBACK: env.boolean(false),
  BROADCAST_BATCH_SIZE: env.int(500, 1, 10_000),
  /** Reminders go out at this hour (UTC) 3 days and 1 day before a trip starts. */
  REMINDER_HOUR_UTC: env.int(9, 0, 23),
  INBOX_CACHE_TTL_SECONDS: env.int(30, 1, 3_600),
  /** Deprecated: read as REDIS_KEY_PREFIX. */
  CACHE_KEY_PREFIX: env.deprecated('REDIS_KEY_PREFIX'),
});

export type NotificationConfig = z.infer<typeof notificationConfigSchema>;
