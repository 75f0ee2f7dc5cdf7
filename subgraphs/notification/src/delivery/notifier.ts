import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import {
  PermanentJobError,
  UpstreamError,
  UpstreamUnavailableError,
  type Clock,
  type JobQueue,
  type RunningJob,
} from '@traveloure/platform';
import type { ChannelValue, Database } from '../db/database.ts';
import {
  deliveryTarget,
  findPendingPushes,
  findUnsettled,
  insertNotification,
  recordAttempt,
  type NotificationDraft,
} from '../db/notifications.repository.ts';
import { findPreferences } from '../db/preferences.repository.ts';
import type { InboxCache } from '../inbox/inbox-cache.ts';
import type { PushChannels } from './channels.ts';
import type { BroadcastJob } from './emergency-alert.ts';
import { quietHoursDelayMs, quietHoursOf } from './quiet-hours.ts';

export type PushChannel = Exclude<ChannelValue, 'IN_APP'>;
export interface PushJob {
  notificationId: string;
  channel: PushChannel;
}

export interface ReminderJob {
  tripId: string;
  userId: string;
  startDate: string;
  daysBefore: number;
  /** occurredAt of the event that scheduled it: the projection must have caught up to it. */
  version: string;
}

export interface NotificationQueues {
  inApp: JobQueue<NotificationDraft>;
  email: JobQueue<PushJob>;
  webhook: JobQueue<PushJob>;
  reminders: JobQueue<ReminderJob>;
  /** Emergency broadcasts: one job per alert fans it out to the travelers in batches. */
  broadcasts: JobQueue<BroadcastJob>;
}

/** One job per (user, kind, dedupe key): adding it twice is a no-op while the queue holds it. */
export const notifyJobId = (draft: Pick<NotificationDraft, 'userId' | 'kind' | 'dedupeKey'>) =>
  `notify.${draft.userId}.${draft.kind}.${draft.dedupeKey}`.replace(/:/g, '_');

const pushJobId = (channel: PushChannel, notificationId: string) =>
  `${channel.toLowerCase()}.${notificationId}`;

export interface NotifierDeps {
  db: Kysely<Database>;
  queues: NotificationQueues;
  cache: InboxCache;
  channels: PushChannels;
  clock: Clock;
  logger: Logger;
}

/**
 * The delivery pipeline. `notify` queues an IN_APP job; its worker writes the inbox entry (once
 * per user, kind and dedupe key) with a delivery row per channel, then queues the pushes (EMAIL,
 * WEBHOOK), held back until quiet hours end unless CRITICAL. Push workers record every attempt;
 * the queue retries with exponential backoff and the last failed attempt makes the delivery DEAD.
 */
export function createNotifier(deps: NotifierDeps) {
  const { db, queues, cache, channels, clock, logger } = deps;
  const pushQueue = (channel: PushChannel) => (channel === 'EMAIL' ? queues.email : queues.webhook);

  return {
    async notify(draft: NotificationDraft) {
      await queues.inApp.add('notify', draft, { jobId: notifyJobId(draft) });
    },

    async notifyMany(drafts: NotificationDraft[]) {
      await queues.inApp.addBulk(
        drafts.map((draft) => ({ name: 'notify', data: draft, options: { jobId: notifyJobId(draft) } })),
      );
    },

    async handleInApp(job: RunningJob<NotificationDraft>) {
      const draft = job.data;
      const outcome = await db.transaction().execute(async (trx) => {
        const preferences = await findPreferences(trx, draft.userId);
        const traveler = await trx
          .selectFrom('notification.user_projection')
          .select('email')
          .where('user_id', '=', draft.userId)
          .executeTakeFirst();
        const pushes: PushChannel[] = [];
        if ((preferences?.email_enabled ?? true) && traveler?.email) pushes.push('EMAIL');
        if (preferences?.webhook_url) pushes.push('WEBHOOK');
        const id = await insertNotification(trx, draft, pushes);
        // Already there (a retried or re-run job): only finish queueing what is unsettled.
        const settled = id ? { id, channels: pushes } : await findUnsettled(trx, draft);
        return settled && { ...settled, created: Boolean(id), preferences };
      });
      if (!outcome) return;
      if (outcome.created) await cache.invalidate([draft.userId]);
      const quiet = outcome.preferences ? quietHoursOf(outcome.preferences) : undefined;
      const delayMs = draft.severity === 'CRITICAL' ? 0 : quietHoursDelayMs(quiet, clock.now());
      for (const channel of outcome.channels.filter((value): value is PushChannel => value !== 'IN_APP')) {
        await pushQueue(channel).add(
          'deliver',
          { notificationId: outcome.id, channel },
          { jobId: pushJobId(channel, outcome.id), delayMs },
        );
      }
    },

    /**
     * Queues again every EMAIL and WEBHOOK delivery still QUEUED or FAILED (quiet hours applied
     * anew). The in-process queue loses its jobs with the process, so workers call this when
     * they start on it; a delivery already settled is skipped by the push worker. Returns how
     * many it queued.
     */
    async restorePending(): Promise<number> {
      const pending = await findPendingPushes(db);
      for (const row of pending) {
        const channel = row.channel as PushChannel;
        const delayMs = row.severity === 'CRITICAL' ? 0 : quietHoursDelayMs(quietHoursOf(row), clock.now());
        await pushQueue(channel).add(
          'deliver',
          { notificationId: row.notification_id, channel },
          { jobId: pushJobId(channel, row.notification_id), delayMs },
        );
      }
      return pending.length;
    },

    async handlePush(job: RunningJob<PushJob>) {
      const { notificationId, channel } = job.data;
      const target = await deliveryTarget(db, notificationId, channel);
      if (!target || target.status === 'SENT' || target.status === 'DEAD') return;
      // Turned off while the email waited (quiet hours, retries): the user's latest word wins.
      if (channel === 'EMAIL' && target.email_enabled === false) {
        await recordAttempt(
          db,
          notificationId,
          channel,
          'DEAD',
          'email notifications were turned off before it was sent',
        );
        return;
      }
      try {
        if (channel === 'EMAIL') await channels.email(target);
        else await channels.webhook(target);
      } catch (error) {
        const detail = (
          error instanceof UpstreamError
            ? error.detail
            : error instanceof Error
              ? error.message
              : String(error)
        ).slice(0, 1_000);
        const permanent =
          error instanceof UpstreamError && !error.retryable && !(error instanceof UpstreamUnavailableError);
        const final = permanent || job.attempt >= job.maxAttempts;
        await recordAttempt(db, notificationId, channel, final ? 'DEAD' : 'FAILED', detail);
        logger.warn(
          { notificationId, channel, attempt: job.attempt, final, err: detail },
          'delivery attempt failed',
        );
        throw permanent ? new PermanentJobError(detail) : new Error(detail);
      }
      await recordAttempt(db, notificationId, channel, 'SENT', null);
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
