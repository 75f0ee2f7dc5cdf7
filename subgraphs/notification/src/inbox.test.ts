import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createManualClock, encodeCursor, MemoryJobQueue } from '@traveloure/platform';
import type { NotificationDraft } from './db/notifications.repository.ts';
import { fanOutBroadcast, startBroadcast, type BroadcastJob } from './alerts/alerts.service.ts';
import {
  DAY_MS,
  inboxOf,
  isoDay,
  startSubgraphForTest,
  tripCreated,
  type SubgraphForTest,
} from './test-support.ts';

// The inbox as clients page through it, the response cache in front of it, and emergency
// broadcasts that page through the travelers in batches (BROADCAST_BATCH_SIZE=2 here).
describe('inbox paging, inbox cache and batched broadcasts', () => {
  let harness: SubgraphForTest;
  const clock = createManualClock('2026-06-10T12:00:00Z');
  const today = clock.now();

  beforeAll(async () => {
    harness = await startSubgraphForTest('notif_inbox', { clock, env: { BROADCAST_BATCH_SIZE: '2' } });
  });
  afterAll(async () => {
    await harness?.close();
  });

  const system = (userId: string, dedupeKey: string): NotificationDraft => ({
    userId,
    kind: 'SYSTEM',
    severity: 'INFO',
    title: `Note ${dedupeKey}`,
    body: 'Hello.',
    dedupeKey,
  });
  const page = `query Page($id: ID!, $first: Int, $after: String, $unreadOnly: Boolean) {
    _entities(representations: [{ __typename: "User", id: $id }]) {
      ... on User { notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
        totalCount edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }
    }
  }`;
  type Page = {
    totalCount: number;
    edges: { cursor: string; node: { id: string; title: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
  const pageOf = async (userId: string, variables: Record<string, unknown>) => {
    const { body: result } = await harness.graphql<{ _entities: { notifications: Page }[] }>(
      page,
      { id: userId, ...variables },
      { id: userId },
    );
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!._entities[0]!.notifications;
  };

  it('pages through an inbox newest first with first/after, and refuses a forged cursor with BAD_USER_INPUT', async () => {
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) {
      await harness.services.notifier.notify(system('pia', key));
      // Distinct creation times, so newest-first is a fixed order.
      await harness.until(
        async () => (await inboxOf(harness, 'pia')).entries.some((entry) => entry.title === `Note ${key}`),
        key,
      );
    }
    const titles: string[] = [];
    let after: string | null = null;
    const sizes: number[] = [];
    for (;;) {
      const current: Page = await pageOf('pia', { first: 2, after });
      expect(current.totalCount).toBe(5);
      sizes.push(current.edges.length);
      titles.push(...current.edges.map((edge) => edge.node.title));
      expect(current.pageInfo.endCursor).toBe(current.edges.at(-1)?.cursor ?? null);
      if (!current.pageInfo.hasNextPage) break;
      after = current.pageInfo.endCursor;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(titles).toEqual(['Note k5', 'Note k4', 'Note k3', 'Note k2', 'Note k1']);

    for (const forged of [
      'not-a-cursor',
      encodeCursor(['not-a-date', 'x']),
      encodeCursor(['2026-02-30T00:00:00.000Z', '6d1f5a52-5a43-4c55-9d8b-0c1a36f0a4d1']),
      // A well-formed instant PostgreSQL has no day for (there is no year 0).
      encodeCursor(['0000-01-01T00:00:00.000Z', '6d1f5a52-5a43-4c55-9d8b-0c1a36f0a4d1']),
    ]) {
      const { body: result } = await harness.graphql(
        page,
        { id: 'pia', first: 2, after: forged },
        { id: 'pia' },
      );
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['after'] });
      expect(JSON.stringify(result)).not.toMatch(/stack|timestamp with time zone/);
    }
  });

  it('resolves a Notification reference whose id cannot exist to null, like a missing one', async () => {
    const own = (await inboxOf(harness, 'pia')).entries[0]!;
    const { body: result } = await harness.graphql<{ _entities: ({ id: string } | null)[] }>(
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Notification { id } } }`,
      {
        representations: [
          { __typename: 'Notification', id: 'not-a-uuid' },
          { __typename: 'Notification', id: own.id },
          { __typename: 'Notification', id: '6d1f5a52-5a43-4c55-9d8b-0c1a36f0a4d1' },
        ],
      },
      { id: 'pia' },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([null, { id: own.id }, null]);
  });

  it('serves inbox reads from the cache until the inbox changes (new entry, read, all read)', async () => {
    const unread = async () => (await inboxOf(harness, 'pia')).unread;
    expect(await unread()).toBe(5);
    // A row written behind the service's back is not seen: reads come from the cache...
    await sql`insert into notification.notifications (user_id, kind, severity, title, body, dedupe_key)
      values ('pia', 'SYSTEM', 'INFO', 'Behind the back', 'x', 'direct')`.execute(harness.db);
    expect(await unread()).toBe(5);
    expect((await inboxOf(harness, 'pia')).total).toBe(5);
    // ...until an entry written by the workers drops the user's cached pages and counts.
    await harness.services.notifier.notify(system('pia', 'k6'));
    await harness.until(async () => (await unread()) === 7, 'the cache to be dropped by the new entry');
    expect((await pageOf('pia', { first: 20 })).totalCount).toBe(7);

    const markAll = `mutation { markAllNotificationsRead { count userErrors { code } } }`;
    const { body: marked } = await harness.graphql(markAll, {}, { id: 'pia' });
    expect(marked.data.markAllNotificationsRead).toEqual({ count: 7, userErrors: [] });
    expect(await unread()).toBe(0);
    expect((await pageOf('pia', { first: 20, unreadOnly: true })).edges).toEqual([]);
    expect((await harness.graphql(markAll, {}, { id: 'pia' })).body.data.markAllNotificationsRead.count).toBe(
      0,
    );
    // Another user's inbox is untouched by pia's mark-all.
    await harness.services.notifier.notify(system('quin', 'q1'));
    await harness.until(async () => (await inboxOf(harness, 'quin')).unread === 1, "quin's entry");
    await harness.graphql(markAll, {}, { id: 'pia' });
    expect((await inboxOf(harness, 'quin')).unread).toBe(1);
  });

  it('broadcasts in batches to every traveler whose trip is under way or starts within 7 days, each once', async () => {
    const trip = async (
      tripId: string,
      userId: string,
      destinationCode: string,
      startInDays: number,
      endInDays: number,
    ) => {
      await harness.emit('user.created', { userId, email: null, name: userId, region: 'EU_WEST' });
      await harness.emit(
        'trip.created',
        tripCreated({ tripId, userId, destinationCode, startInDays, endInDays }, today),
      );
    };
    await trip('c-started', 'cai-1', 'CAI', -3, 2); // under way
    await trip('c-ends-today', 'cai-2', 'CAI', -5, 0); // last day today
    await trip('c-today', 'cai-3', 'CAI', 0, 4); // starts today
    await trip('c-day7', 'cai-4', 'CAI', 7, 10); // starts in exactly 7 days
    await trip('c-soon', 'cai-5', 'CAI', 2, 5);
    await trip('c-soon-again', 'cai-5', 'CAI', 3, 6); // a second trip: still one recipient
    await trip('c-day8', 'cai-6', 'CAI', 8, 12); // too far ahead
    await trip('c-over', 'cai-7', 'CAI', -6, -1); // ended yesterday
    await trip('c-deleted', 'cai-8', 'CAI', 1, 3);
    await trip('c-elsewhere', 'cai-9', 'LIM', 1, 3);
    await harness.emit('trip.deleted', { tripId: 'c-deleted', userId: 'cai-8' });
    await harness.until(async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from notification.trip_projection
        where trip_id like 'c-%' and (deleted or trip_id <> 'c-deleted')`.execute(harness.db);
      const { rows: tombstone } = await sql<{
        deleted: boolean;
      }>`select deleted from notification.trip_projection where trip_id = 'c-deleted'`.execute(harness.db);
      return rows[0]!.n === 10 && tombstone[0]?.deleted === true;
    }, 'the trip projection');

    const { body: sent } = await harness.graphql(
      `mutation { broadcastEmergencyAlert(input: { destinationCode: "cai", severity: CRITICAL, title: "Sandstorm", body: "Stay indoors." }) { recipients userErrors { code } } }`,
      {},
      { id: 'root', roles: ['ADMIN'] },
    );
    // Five recipients with batches of two: three keyset pages.
    expect(sent.data.broadcastEmergencyAlert).toEqual({ recipients: 5, userErrors: [] });
    const reached = ['cai-1', 'cai-2', 'cai-3', 'cai-4', 'cai-5'];
    await harness.until(async () => {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from notification.notifications where kind = 'EMERGENCY_ALERT'`.execute(
        harness.db,
      );
      return rows[0]!.n === reached.length;
    }, 'every alert entry');
    const { rows } = await sql<{
      user_id: string;
      n: number;
    }>`select user_id, count(*)::int as n from notification.notifications
      where kind = 'EMERGENCY_ALERT' group by user_id order by user_id`.execute(harness.db);
    expect(rows).toEqual(reached.map((user_id) => ({ user_id, n: 1 })));

    // The mutation only counts and queues one fan-out job; the workers do the rest.
    const idle = new MemoryJobQueue<BroadcastJob>('broadcast-unit', { attempts: 1, backoffMs: 1 });
    const started = await startBroadcast(
      { db: harness.services.db, queue: idle, clock },
      { destinationCode: 'CAI', severity: 'INFO', title: 't', body: 'b' },
    );
    expect(started.recipients).toBe(reached.length);
    expect(await idle.getJob(`broadcast.${started.alertId}`)).toMatchObject({
      state: 'waiting',
      data: { today: isoDay(today), horizon: isoDay(today + 7 * DAY_MS) },
    });
    expect(
      (
        await startBroadcast(
          { db: harness.services.db, queue: idle, clock },
          { destinationCode: 'XXX', severity: 'INFO', title: 't', body: 'b' },
        )
      ).recipients,
    ).toBe(0);
    expect((await idle.counts()).waiting).toBe(1);
    await idle.close();

    // The fan-out job run again (a worker died after queueing part of it) doubles nothing.
    const { rows: alerts } = await sql<{ alert_id: string }>`select distinct data->>'alertId' as alert_id
      from notification.notifications where kind = 'EMERGENCY_ALERT'`.execute(harness.db);
    expect(alerts).toHaveLength(1);
    const job = {
      alertId: alerts[0]!.alert_id,
      destinationCode: 'CAI',
      severity: 'CRITICAL' as const,
      title: 'Sandstorm',
      body: 'Stay indoors.',
      today: isoDay(today),
      horizon: isoDay(today + 7 * DAY_MS),
    };
    const requeued = await fanOutBroadcast(
      { db: harness.services.db, notifier: harness.services.notifier, batchSize: 2 },
      { id: 'rerun', name: 'broadcast', data: job, attempt: 2, maxAttempts: 5 },
    );
    expect(requeued).toBe(reached.length);
    await harness.until(async () => {
      const counts = await harness.services.queues.inApp.counts();
      return counts.waiting + counts.active + counts.delayed === 0;
    }, 'the re-queued jobs to drain');
    const { rows: after } = await sql<{
      n: number;
    }>`select count(*)::int as n from notification.notifications where kind = 'EMERGENCY_ALERT'`.execute(
      harness.db,
    );
    expect(after[0]!.n).toBe(reached.length);
  });
});
