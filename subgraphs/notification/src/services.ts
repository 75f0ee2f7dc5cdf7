import type { Kysely } from 'kysely';
import {
  createEgressPolicy,
  createEventSubscription,
  createJobQueue,
  queueSettingsFromConfig,
  reportBackgroundFailure,
  systemClock,
  type Clock,
  type EgressPolicy,
  type EgressResolver,
  type EventSubscription,
  type QueueWorker,
  type ServiceRuntime,
} from '@traveloure/platform';
import type { NotificationConfig } from './config.ts';
import type { Database } from './db/database.ts';
import type { NotificationDraft } from './db/notifications.repository.ts';
import { fanOutBroadcast, type BroadcastJob } from './alerts/alerts.service.ts';
import { createInboxCache, type InboxCache } from './inbox/inbox-cache.ts';
import { createPushChannels, type PushChannels } from './delivery/channels.ts';
import {
  createNotifier,
  type NotificationQueues,
  type Notifier,
  type PushJob,
  type ReminderJob,
} from './delivery/notifier.ts';
import { createReminders, type Reminders } from './delivery/reminders.ts';
import { createEventHandler } from './projection/projection.consumer.ts';

/** Long-lived dependencies of the notification service, made once and shared by every request. */
export interface NotificationServices {
  db: Kysely<Database>;
  /** The read replica for analytics (the primary when none is configured). */
  readDb: Kysely<Database>;
  config: NotificationConfig;
  clock: Clock;
  queues: NotificationQueues;
  events: EventSubscription;
  cache: InboxCache;
  channels: PushChannels;
  /** Where URLs users supply (webhooks) may lead: checked when saved and on every delivery. */
  egress: EgressPolicy;
  notifier: Notifier;
  reminders: Reminders;
  /** Starts every worker: events, IN_APP, EMAIL, WEBHOOK, reminders, broadcasts. */
  startWorkers(): { close(options?: { force?: boolean }): Promise<void> };
  close(): Promise<void>;
}

export interface NotificationServicesOptions {
  /** Time, injectable: reminders and quiet hours read it (tests move it). */
  clock?: Clock;
  /** DNS for webhook hosts, injectable: tests make a public-looking name resolve inside. */
  egressResolver?: EgressResolver;
}

/** Queues, channels, cache and workers of the notification service, shared by the server and `npm run worker`. */
export function createNotificationServices(
  runtime: ServiceRuntime<NotificationConfig>,
  options: NotificationServicesOptions = {},
): NotificationServices {
  const { config, logger } = runtime;
  const db = runtime.db as Kysely<Database>;
  const readDb = runtime.readDb as Kysely<Database>;
  const clock = options.clock ?? systemClock;
  const settings = queueSettingsFromConfig(config, logger);
  const queues: NotificationQueues = {
    inApp: createJobQueue<NotificationDraft>(config.NOTIFY_QUEUE_IN_APP, settings),
    email: createJobQueue<PushJob>(config.NOTIFY_QUEUE_EMAIL, {
      ...settings,
      backoffMs: config.PUSH_BACKOFF_MS,
    }),
    webhook: createJobQueue<PushJob>(config.NOTIFY_QUEUE_WEBHOOK, {
      ...settings,
      backoffMs: config.PUSH_BACKOFF_MS,
    }),
    reminders: createJobQueue<ReminderJob>(config.NOTIFY_QUEUE_REMINDERS, settings),
    broadcasts: createJobQueue<BroadcastJob>(config.NOTIFY_QUEUE_BROADCASTS, settings),
  };
  const cache = createInboxCache({
    redis: runtime.redis,
    logger,
    ttlSeconds: config.INBOX_CACHE_TTL_SECONDS,
    keyPrefix: `${config.REDIS_KEY_PREFIX}:cache`,
  });
  const egress = createEgressPolicy({
    allowLoopback: config.EGRESS_ALLOW_LOOPBACK,
    resolve: options.egressResolver,
  });
  if (config.EGRESS_ALLOW_LOOPBACK)
    logger[config.NODE_ENV === 'production' ? 'warn' : 'info'](
      'EGRESS_ALLOW_LOOPBACK is on: webhooks may reach this machine (127.0.0.0/8, ::1)',
    );
  const channels = createPushChannels(
    {
      smtpUrl: config.SMTP_URL,
      smtpFrom: config.SMTP_FROM,
      smtpTimeoutMs: config.SMTP_TIMEOUT_MS,
      webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
      webhookMaxResponseBytes: config.WEBHOOK_MAX_RESPONSE_BYTES,
      egress,
    },
    logger,
    runtime.health,
  );
  const notifier = createNotifier({ db, queues, cache, channels, clock, logger });
  const reminders = createReminders({
    db,
    queue: queues.reminders,
    notifier,
    clock,
    hourUtc: config.REMINDER_HOUR_UTC,
  });
  const events = createEventSubscription(runtime, {
    consumer: 'notification',
    concurrency: config.EVENTS_CONCURRENCY,
    handle: createEventHandler({ notifier, reminders, logger }),
  });

  return {
    db,
    readDb,
    config,
    clock,
    queues,
    events,
    cache,
    channels,
    egress,
    notifier,
    reminders,
    startWorkers() {
      const startEvents = () => events.start();
      const workers: QueueWorker[] = [
        queues.inApp.work((job) => notifier.handleInApp(job), { concurrency: config.IN_APP_CONCURRENCY }),
        queues.email.work((job) => notifier.handlePush(job), { concurrency: config.EMAIL_CONCURRENCY }),
        queues.webhook.work((job) => notifier.handlePush(job), { concurrency: config.WEBHOOK_CONCURRENCY }),
        queues.reminders.work((job) => reminders.handle(job), { concurrency: config.REMINDER_CONCURRENCY }),
        queues.broadcasts.work(
          async (job) => {
            const queued = await fanOutBroadcast(
              { db, notifier, batchSize: config.BROADCAST_BATCH_SIZE },
              job,
            );
            logger.info(
              { alertId: job.data.alertId, destinationCode: job.data.destinationCode, queued },
              'emergency alert fanned out',
            );
          },
          { concurrency: config.BROADCAST_CONCURRENCY },
        ),
      ];
      let closed = false;
      let restoring: Promise<void> | undefined;
      if (queues.reminders.kind === 'memory') {
        // In-process jobs died with the last process: schedule the reminders again from the
        // projection (before events are consumed, so no trip event races it) and queue the
        // pushes still pending.
        restoring = Promise.all([reminders.restore(), notifier.restorePending()])
          .then(
            ([trips, pushes]) =>
              logger.info({ trips, pushes }, 'reminders and pending pushes queued again (in-process queue)'),
            (error: unknown) => {
              logger.error({ err: error }, 'reminders and pending pushes could not be queued again');
              reportBackgroundFailure(error, 'notification/restore-pending');
            },
          )
          .finally(() => {
            if (!closed) workers.push(startEvents());
          });
      } else {
        workers.push(startEvents());
      }
      logger.info(
        { queues: Object.values(queues).map((queue) => queue.name), kind: queues.inApp.kind },
        'notification workers started',
      );
      return {
        close: async (closeOptions) => {
          closed = true;
          await restoring;
          await Promise.all(workers.map((worker) => worker.close(closeOptions)));
        },
      };
    },
    async close() {
      await Promise.all([...Object.values(queues).map((queue) => queue.close()), events.close()]);
      await cache.close();
      channels.close();
    },
  };
}
