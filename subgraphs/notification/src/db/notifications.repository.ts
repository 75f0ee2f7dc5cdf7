import { sql, type Kysely } from 'kysely';
import { isUuid } from '@traveloure/platform';
import type {
  ChannelValue,
  Database,
  DeliveryRow,
  DeliveryStatusValue,
  NotificationKindValue,
  NotificationRow,
  SeverityValue,
} from './database.ts';

export interface NotificationDraft {
  userId: string;
  kind: NotificationKindValue;
  severity: SeverityValue;
  title: string;
  body: string;
  /** With userId and kind, makes the notification unique: a retried job never doubles it. */
  dedupeKey: string;
  data?: Record<string, unknown>;
}

/**
 * Creates the inbox entry and its deliveries (IN_APP sent at once, the others queued).
 * Returns undefined when the (user, kind, dedupe key) entry already exists.
 */
export async function insertNotification(
  db: Kysely<Database>,
  draft: NotificationDraft,
  pushChannels: ChannelValue[],
): Promise<string | undefined> {
  const inserted = await db
    .insertInto('notification.notifications')
    .values({
      user_id: draft.userId,
      kind: draft.kind,
      severity: draft.severity,
      title: draft.title,
      body: draft.body,
      dedupe_key: draft.dedupeKey,
      data: JSON.stringify(draft.data ?? {}),
    })
    .onConflict((conflict) => conflict.columns(['user_id', 'kind', 'dedupe_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return undefined;
  await db
    .insertInto('notification.deliveries')
    .values([
      { notification_id: inserted.id, channel: 'IN_APP', status: 'SENT', attempts: 1, last_error: null },
      ...pushChannels.map((channel) => ({
        notification_id: inserted.id,
        channel,
        status: 'QUEUED' as const,
        attempts: 0,
        last_error: null,
      })),
    ])
    .execute();
  await db
    .insertInto('notification.delivery_attempts')
    .values({ notification_id: inserted.id, channel: 'IN_APP', outcome: 'SENT', error: null })
    .execute();
  return inserted.id;
}

/** The existing entry for (user, kind, dedupe key) and its pushes not yet settled. */
export async function findUnsettled(db: Kysely<Database>, draft: NotificationDraft) {
  const row = await db
    .selectFrom('notification.notifications')
    .select(['id', 'severity'])
    .where('user_id', '=', draft.userId)
    .where('kind', '=', draft.kind)
    .where('dedupe_key', '=', draft.dedupeKey)
    .executeTakeFirst();
  if (!row) return undefined;
  const pending = await db
    .selectFrom('notification.deliveries')
    .select('channel')
    .where('notification_id', '=', row.id)
    .where('status', 'in', ['QUEUED', 'FAILED'])
    .execute();
  return { id: row.id, channels: pending.map((delivery) => delivery.channel) };
}

export interface InboxPageQuery {
  userId: string;
  size: number;
  unreadOnly: boolean;
  after?: { createdAt: string; id: string };
}

/** One page of an inbox, newest first, keyset-paged on (created_at, id); size + 1 rows. */
export async function listInbox(db: Kysely<Database>, query: InboxPageQuery): Promise<NotificationRow[]> {
  let select = db
    .selectFrom('notification.notifications')
    .selectAll()
    .where('user_id', '=', query.userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.size + 1);
  if (query.unreadOnly) select = select.where('read_at', 'is', null);
  if (query.after) {
    const { createdAt, id } = query.after;
    select = select.where(sql<boolean>`(created_at, id) < (${createdAt}::timestamptz, ${id}::uuid)`);
  }
  return select.execute();
}

export async function countInbox(db: Kysely<Database>, userId: string, unreadOnly: boolean): Promise<number> {
  let select = db
    .selectFrom('notification.notifications')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId);
  if (unreadOnly) select = select.where('read_at', 'is', null);
  const row = await select.executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function deliveriesOf(
  db: Kysely<Database>,
  notificationIds: readonly string[],
): Promise<DeliveryRow[]> {
  if (notificationIds.length === 0) return [];
  return db
    .selectFrom('notification.deliveries')
    .selectAll()
    .where('notification_id', 'in', notificationIds)
    .orderBy('notification_id')
    .orderBy('channel')
    .execute();
}

export async function notificationsByIds(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<NotificationRow[]> {
  // An id that is not a uuid cannot exist, and would fail the whole statement's ::uuid cast.
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return db.selectFrom('notification.notifications').selectAll().where('id', 'in', valid).execute();
}

/** Marks the user's own notification read; undefined when it is not theirs (or not there). */
export async function markRead(
  db: Kysely<Database>,
  userId: string,
  id: string,
): Promise<NotificationRow | undefined> {
  return db
    .updateTable('notification.notifications')
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

export async function markAllRead(db: Kysely<Database>, userId: string): Promise<number> {
  const result = await db
    .updateTable('notification.notifications')
    .set({ read_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** What a push channel needs to deliver one notification. */
export interface DeliveryTarget {
  id: string;
  user_id: string;
  kind: NotificationKindValue;
  severity: SeverityValue;
  title: string;
  body: string;
  created_at: Date;
  status: DeliveryStatusValue;
  attempts: number;
  email: string | null;
  name: string | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  email_enabled: boolean | null;
}

export async function deliveryTarget(
  db: Kysely<Database>,
  notificationId: string,
  channel: ChannelValue,
): Promise<DeliveryTarget | undefined> {
  return db
    .selectFrom('notification.notifications as n')
    .innerJoin('notification.deliveries as d', (join) =>
      join.onRef('d.notification_id', '=', 'n.id').on('d.channel', '=', channel),
    )
    .leftJoin('notification.user_projection as t', 't.user_id', 'n.user_id')
    .leftJoin('notification.preferences as p', 'p.user_id', 'n.user_id')
    .select([
      'n.id',
      'n.user_id',
      'n.kind',
      'n.severity',
      'n.title',
      'n.body',
      'n.created_at',
      'd.status',
      'd.attempts',
      't.email',
      't.name',
      'p.webhook_url',
      'p.webhook_secret',
      'p.email_enabled',
    ])
    .where('n.id', '=', notificationId)
    .executeTakeFirst();
}

/** Records one attempt on a push channel: the delivery's new state and the attempt log (stats). */
export async function recordAttempt(
  db: Kysely<Database>,
  notificationId: string,
  channel: ChannelValue,
  outcome: 'SENT' | 'FAILED' | 'DEAD',
  error: string | null,
) {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('notification.deliveries')
      .set({
        status: outcome,
        attempts: sql<number>`attempts + 1`,
        last_error: outcome === 'SENT' ? null : error,
        updated_at: sql<Date>`now()`,
      })
      .where('notification_id', '=', notificationId)
      .where('channel', '=', channel)
      .execute();
    await trx
      .insertInto('notification.delivery_attempts')
      .values({ notification_id: notificationId, channel, outcome, error })
      .execute();
  });
}

/** EMAIL and WEBHOOK deliveries not settled yet (QUEUED or FAILED), with what queueing needs. */
export function findPendingPushes(db: Kysely<Database>) {
  return db
    .selectFrom('notification.deliveries as d')
    .innerJoin('notification.notifications as n', 'n.id', 'd.notification_id')
    .leftJoin('notification.preferences as p', 'p.user_id', 'n.user_id')
    .select(['d.notification_id', 'd.channel', 'n.severity', 'p.quiet_start', 'p.quiet_end', 'p.time_zone'])
    .where('d.status', 'in', ['QUEUED', 'FAILED'])
    .where('d.channel', '<>', 'IN_APP')
    .execute();
}

export interface StatRow {
  day: string;
  channel: ChannelValue;
  sent: number;
  failed: number;
  dead: number;
}

/** Outcomes per channel per UTC day, from `since` on. */
export async function deliveryStats(db: Kysely<Database>, since: Date): Promise<StatRow[]> {
  const { rows } = await sql<StatRow>`
    select to_char(attempted_at at time zone 'UTC', 'YYYY-MM-DD') as day, channel,
      count(*) filter (where outcome = 'SENT')::int as sent,
      count(*) filter (where outcome = 'FAILED')::int as failed,
      count(*) filter (where outcome = 'DEAD')::int as dead
    from notification.delivery_attempts
    where attempted_at >= ${since.toISOString()}::timestamptz
    group by 1, 2
    order by 1 desc, 2`.execute(db);
  return rows;
}
