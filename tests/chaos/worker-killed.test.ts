/**
 * The notification worker (`npm run worker`, its own process, BullMQ on a private Redis) is
 * killed with SIGKILL while it delivers webhooks, then started again: every notification is in
 * the inbox once, and every webhook reaches the receiver, under its delivery id, with a delivery
 * already recorded as SENT never sent again. Webhooks are at-least-once by design (a call in
 * flight when the worker dies is sent again); receivers dedupe on `x-traveloure-delivery`.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  startFaultProxy,
  startPrivateRedis,
  type FaultProxy,
  type PrivateRedis,
} from '@traveloure/platform/testing';
import { startWebhookEmulator, type WebhookEmulator } from '@traveloure/testing';
import { startSubgraphForTest, type SubgraphForTest } from '../../subgraphs/notification/src/test-support.ts';
import { reportFigures, waitFor } from './support.ts';

// One traveler (the receiver verifies one signing secret) with many notifications.
const NOTIFICATIONS = 40;
const userId = 'chaos-worker-traveler';
const WEBHOOK_CONCURRENCY = 10;

let redis: PrivateRedis;
let receiver: WebhookEmulator;
let proxy: FaultProxy;
let harness: SubgraphForTest;
const workers: ChildProcess[] = [];

// Webhooks to loopback are refused by the egress policy unless opted in.
const loopbackOptIn = { EGRESS_ALLOW_LOOPBACK: 'true' };

beforeAll(async () => {
  redis = await startPrivateRedis();
  receiver = await startWebhookEmulator();
  // Each webhook call takes ~300 ms (request and answer held 150 ms each), so the kill always
  // finds calls in flight.
  proxy = await startFaultProxy({ port: Number(new URL(receiver.url).port) });
  proxy.setFault({ kind: 'delay', ms: 150 });
  harness = await startSubgraphForTest('chaos_worker', {
    redisUrl: redis.url,
    relay: false,
    env: {
      ...loopbackOptIn,
      NOTIFICATION_WORKERS: 'false',
      QUEUE_LOCK_MS: '2000',
      QUEUE_STALLED_INTERVAL_MS: '300',
      WEBHOOK_CONCURRENCY: String(WEBHOOK_CONCURRENCY),
      WEBHOOK_TIMEOUT_MS: '3000',
    },
  });
}, 90_000);

afterAll(async () => {
  for (const worker of workers)
    if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await harness?.close();
  await Promise.all([proxy?.close(), receiver?.close(), redis?.stop()]);
});

async function startWorker() {
  const worker = await harness.startWorkerProcess();
  workers.push(worker);
  return worker;
}

const webhookStatuses = async () =>
  (
    await sql<{ notification_id: string; status: string }>`
      select notification_id::text, status from notification.deliveries where channel = 'WEBHOOK'`.execute(
      harness.db,
    )
  ).rows;

describe('the notification worker killed mid-job', () => {
  it(
    'puts every notification in the inbox once and delivers every webhook id, none recorded as sent twice',
    { timeout: 150_000 },
    async () => {
      const { body: updated } = await harness.graphql(
        `mutation($url: String) { updateNotificationPreferences(input: { webhookUrl: $url }) { preferences { webhookSigningSecret } userErrors { code } } }`,
        { url: proxy.url('http', '/hooks/traveloure') },
        { id: userId },
      );
      const preferences = updated.data?.updateNotificationPreferences.preferences;
      expect(preferences, JSON.stringify(updated)).toBeTruthy();
      receiver.setSecret(preferences.webhookSigningSecret);
      const drafts = Array.from({ length: NOTIFICATIONS }, (_, n) => ({
        userId,
        kind: 'SYSTEM' as const,
        severity: 'INFO' as const,
        title: `Chaos ${n}`,
        body: `Notification ${n}`,
        dedupeKey: `chaos-${n}`,
      }));

      let worker = await startWorker();
      await harness.services.notifier.notifyMany(drafts);
      // Sent twice, as a retrying producer would: the job ids make it a no-op.
      await harness.services.notifier.notifyMany(drafts);
      await receiver.waitFor(WEBHOOK_CONCURRENCY, 20_000);
      const exited = once(worker, 'exit');
      worker.kill('SIGKILL');
      await exited;
      const receivedAtKill = receiver.calls.length;
      const sentAtKill = new Set(
        (await webhookStatuses()).filter((row) => row.status === 'SENT').map((row) => row.notification_id),
      );
      expect(receivedAtKill).toBeLessThan(drafts.length);

      worker = await startWorker();
      await waitFor(
        async () => {
          const rows = await webhookStatuses();
          return rows.length === drafts.length && rows.every((row) => row.status === 'SENT');
        },
        'every webhook delivery to be SENT',
        30_000,
      );

      // The inbox: each draft exactly once.
      const { rows: inbox } = await sql<{ user_id: string; dedupe_key: string; id: string }>`
      select user_id, dedupe_key, id::text from notification.notifications`.execute(harness.db);
      expect(inbox).toHaveLength(drafts.length);
      expect(new Set(inbox.map((row) => `${row.user_id}/${row.dedupe_key}`)).size).toBe(drafts.length);

      // The receiver: every notification's delivery id, each call signed and naming its own id.
      const byId = new Map<string, number>();
      for (const call of receiver.calls) {
        const id = String(call.headers['x-traveloure-delivery']);
        expect((call.json as { id: string }).id).toBe(id);
        expect(call.signatureValid).toBe(true);
        byId.set(id, (byId.get(id) ?? 0) + 1);
      }
      expect(new Set(byId.keys())).toEqual(new Set(inbox.map((row) => row.id)));
      // A delivery recorded as SENT before the kill is never sent again; only calls in flight at
      // the kill (at most one per concurrent job) are.
      for (const id of sentAtKill) expect({ id, calls: byId.get(id) }).toEqual({ id, calls: 1 });
      const redelivered = [...byId.values()].filter((count) => count > 1).length;
      expect(redelivered).toBeLessThanOrEqual(WEBHOOK_CONCURRENCY);

      reportFigures('worker-killed', {
        notifications: drafts.length,
        inboxEntries: inbox.length,
        webhooksReceivedBeforeKill: receivedAtKill,
        sentBeforeKill: sentAtKill.size,
        distinctDeliveryIds: byId.size,
        redeliveredInFlight: redelivered,
        sentTwiceAfterSent: 0,
      });
    },
  );
});
