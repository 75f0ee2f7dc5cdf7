import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { Redis } from 'ioredis';
import { createManualClock } from '@traveloure/platform';
import { startPrivateRedis, type PrivateRedis } from '@traveloure/platform/testing';
import { startWebhookEmulator, webhookEmulatorEnv } from '@traveloure/testing';
import { inboxOf, startSubgraphForTest, tripCreated, type SubgraphForTest } from './test-support.ts';

// Redis loses every queued event before a worker took it: the trip outbox still holds the rows
// (unacknowledged), the relay publishes them again and the traveler gets the reminder, once.
describe('notification delivery on a private redis-server: Redis flushed, push backoff', () => {
  let redisServer: PrivateRedis;
  let redis: Redis;
  let harness: SubgraphForTest;
  const clock = createManualClock('2026-06-10T12:00:00Z');
  const ackTimeoutMs = 2_000;

  beforeAll(async () => {
    redisServer = await startPrivateRedis();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    harness = await startSubgraphForTest('notif_replay', {
      clock,
      redisUrl: redisServer.url,
      // Nobody consumes until the flush: the events wait in Redis.
      env: {
        NOTIFICATION_WORKERS: 'false',
        OUTBOX_ACK_TIMEOUT_MS: String(ackTimeoutMs),
        PUSH_BACKOFF_MS: '3600000',
        ...webhookEmulatorEnv,
      },
    });
  });
  afterAll(async () => {
    await harness?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('replays the unacknowledged outbox rows and delivers exactly one TRIP_REMINDER', async () => {
    const userEvent = await harness.emit('user.created', {
      userId: 'rex',
      email: null,
      name: 'Rex',
      region: 'US_EAST',
    });
    const tripEvent = await harness.emit(
      'trip.created',
      tripCreated(
        {
          tripId: 'trip-r',
          userId: 'rex',
          title: 'Lima',
          destinationCode: 'LIM',
          startInDays: 2,
          endInDays: 6,
        },
        clock.now(),
      ),
    );
    const outbox = async () =>
      (
        await sql<{
          attempts: number;
          published_at: Date | null;
        }>`select attempts, published_at from trip.outbox
        where id in (${userEvent}, ${tripEvent})`.execute(harness.db)
      ).rows;
    await harness.until(
      async () => (await outbox()).every((row) => row.attempts === 1),
      'the first publication',
    );
    expect((await harness.services.events.queue.counts()).waiting).toBe(2);

    await redis.flushall();
    expect((await harness.services.events.queue.counts()).waiting).toBe(0);
    const workers = harness.services.startWorkers();
    try {
      // Past the acknowledgement timeout the relay publishes both rows again.
      clock.advance(ackTimeoutMs);
      const inbox = await harness.until(async () => {
        const current = await inboxOf(harness, 'rex');
        return current.entries.length > 0 && current;
      }, 'the reminder after the replay');
      expect(inbox.entries.map(({ kind, title }) => ({ kind, title }))).toEqual([
        { kind: 'TRIP_REMINDER', title: 'Lima starts in 2 days' },
      ]);
      await harness.until(
        async () => (await outbox()).every((row) => row.published_at !== null),
        'the acknowledgements',
      );
      expect((await outbox()).map((row) => row.attempts)).toEqual([2, 2]);
      expect((await inboxOf(harness, 'rex')).total).toBe(1);
    } finally {
      await workers.close();
    }
  });

  it('waits PUSH_BACKOFF_MS (not the shorter QUEUE_BACKOFF_MS) before retrying a push', async () => {
    const webhook = await startWebhookEmulator();
    const workers = harness.services.startWorkers();
    try {
      const { body: set } = await harness.graphql(
        `mutation($url: String) { updateNotificationPreferences(input: { webhookUrl: $url }) { userErrors { code } } }`,
        { url: webhook.url },
        { id: 'sid' },
      );
      expect(set.data.updateNotificationPreferences.userErrors).toEqual([]);
      webhook.failNext(1, 503);
      await harness.services.notifier.notify({
        userId: 'sid',
        kind: 'SYSTEM',
        severity: 'INFO',
        title: 'Later',
        body: 'x',
        dedupeKey: 'later',
      });
      const entry = await harness.until(async () => {
        const first = (await inboxOf(harness, 'sid')).entries[0];
        return first?.deliveries.find((d) => d.channel === 'WEBHOOK')?.status === 'FAILED' && first;
      }, 'the first failed webhook attempt');
      const retry = await harness.until(async () => {
        const job = await harness.services.queues.webhook.getJob(`webhook.${entry.id}`);
        return job?.state === 'delayed' && job;
      }, 'the retry to be scheduled');
      expect(retry.dueAt! - Date.now()).toBeGreaterThan(50 * 60_000);
    } finally {
      await workers.close();
      await webhook.close();
    }
  });
});
