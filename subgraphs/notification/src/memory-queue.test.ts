import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createManualClock } from '@traveloure/platform';
import { startSmtpEmulator, type SmtpEmulator } from '@traveloure/testing';
import { startWebhookEmulator, webhookEmulatorEnv, type WebhookEmulator } from '@traveloure/testing';
import { reminderJobId } from './delivery/reminders.ts';
import {
  DAY_MS,
  inboxOf,
  isoDay,
  startSubgraphForTest,
  tripCreated,
  type SubgraphForTest,
} from './test-support.ts';

// Without Redis the queues are in process (the embedded default) and must retry and dead-letter
// exactly as BullMQ does: the same pipeline, on PostgreSQL, with no REDIS_URL at all.
describe('delivery on the in-process queue (no Redis)', () => {
  let harness: SubgraphForTest;
  let smtp: SmtpEmulator;
  let webhook: WebhookEmulator;
  const clock = createManualClock('2026-06-10T12:00:00Z');

  beforeAll(async () => {
    smtp = await startSmtpEmulator();
    webhook = await startWebhookEmulator();
    harness = await startSubgraphForTest('notif_memq', {
      clock,
      redisUrl: null,
      env: { SMTP_URL: smtp.url, ...webhookEmulatorEnv },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await smtp?.close();
    await webhook?.close();
  });

  const tripIn2Days = async (userId: string) => {
    await harness.emit('user.created', {
      userId,
      email: `${userId}@example.test`,
      name: userId,
      region: 'EU_WEST',
    });
    await harness.emit(
      'trip.created',
      tripCreated(
        { tripId: `trip-${userId}`, userId, destinationCode: 'OSL', startInDays: 2, endInDays: 4 },
        clock.now(),
      ),
    );
  };
  const emailOf = (userId: string, status: string) =>
    harness.until(async () => {
      const delivery = (await inboxOf(harness, userId)).entries[0]?.deliveries.find(
        (d) => d.channel === 'EMAIL',
      );
      return delivery?.status === status && delivery;
    }, `${userId}'s email to be ${status}`);

  it('retries a transient SMTP failure until it is sent, and makes five failures DEAD with the last error', async () => {
    expect(harness.services.queues.email.kind).toBe('memory');
    smtp.failNext(2, 451, 'Greylisted, try later');
    await tripIn2Days('uma');
    expect(await emailOf('uma', 'SENT')).toMatchObject({ attempts: 3, lastError: null });
    expect((await smtp.waitFor(1))[0]!.to).toEqual(['uma@example.test']);

    smtp.setFailure({ code: 451, message: 'Mailbox busy' });
    try {
      await tripIn2Days('vic');
      const dead = await emailOf('vic', 'DEAD');
      expect(dead.attempts).toBe(5);
      expect(dead.lastError).toContain('Mailbox busy');
    } finally {
      smtp.setFailure(undefined);
    }
    // The inbox entry itself is there once, whatever happened to the email.
    expect((await inboxOf(harness, 'vic')).total).toBe(1);
  });

  it('retries a webhook answering 503, and gives up at once on a 410 the receiver will not change its mind about', async () => {
    const { body: setWebhook } = await harness.graphql(
      `mutation($url: String) { updateNotificationPreferences(input: { webhookUrl: $url, emailEnabled: false }) { preferences { webhookSigningSecret } userErrors { code } } }`,
      { url: webhook.url },
      { id: 'wes' },
    );
    webhook.setSecret(setWebhook.data.updateNotificationPreferences.preferences.webhookSigningSecret);
    const webhookOf = (title: string, status: string) =>
      harness.until(async () => {
        const entry = (await inboxOf(harness, 'wes')).entries.find((candidate) => candidate.title === title);
        const delivery = entry?.deliveries.find((d) => d.channel === 'WEBHOOK');
        return delivery?.status === status && delivery;
      }, `the webhook of ${title} to be ${status}`);
    const notify = (title: string) =>
      harness.services.notifier.notify({
        userId: 'wes',
        kind: 'SYSTEM',
        severity: 'WARNING',
        title,
        body: 'Check your booking.',
        dedupeKey: title,
      });

    webhook.failNext(2, 503);
    await notify('flaky receiver');
    expect(await webhookOf('flaky receiver', 'SENT')).toMatchObject({ attempts: 3, lastError: null });
    const [call] = await webhook.waitFor(1);
    expect(call!.signatureValid).toBe(true);
    expect(call!.json).toMatchObject({
      userId: 'wes',
      kind: 'SYSTEM',
      severity: 'WARNING',
      title: 'flaky receiver',
    });

    webhook.failNext(1, 410);
    await notify('gone receiver');
    const dead = await webhookOf('gone receiver', 'DEAD');
    expect(dead).toMatchObject({ attempts: 1, lastError: expect.stringContaining('HTTP 410') });
    expect(webhook.calls).toHaveLength(1);
  });

  it('holds an email in quiet hours, and does not send it when the user turns email off meanwhile', async () => {
    await tripIn2Days('xan');
    await emailOf('xan', 'SENT');
    const sentBefore = smtp.messages.length;
    const { body: quiet } = await harness.graphql(
      `mutation { updateNotificationPreferences(input: { quietHours: { start: "11:00", end: "13:00", timeZone: "UTC" } }) { userErrors { code } } }`,
      {},
      { id: 'xan' },
    );
    expect(quiet.data.updateNotificationPreferences.userErrors).toEqual([]);
    await harness.services.notifier.notify({
      userId: 'xan',
      kind: 'SYSTEM',
      severity: 'INFO',
      title: 'Later',
      body: 'No rush.',
      dedupeKey: 'later',
    });
    const held = await harness.until(async () => {
      const entry = (await inboxOf(harness, 'xan')).entries.find((candidate) => candidate.title === 'Later');
      return entry?.deliveries.find((d) => d.channel === 'EMAIL')?.status === 'QUEUED' && entry;
    }, 'the held email');
    // The clock says 12:00 UTC: held until 13:00.
    const job = await harness.services.queues.email.getJob(`email.${held.id}`);
    expect(job?.state).toBe('delayed');
    expect(job!.dueAt! - Date.now()).toBeGreaterThan(50 * 60_000);

    await harness.graphql(
      `mutation { updateNotificationPreferences(input: { emailEnabled: false }) { userErrors { code } } }`,
      {},
      { id: 'xan' },
    );
    await harness.services.queues.email.promote(`email.${held.id}`);
    const dropped = await harness.until(async () => {
      const delivery = (await inboxOf(harness, 'xan')).entries
        .find((entry) => entry.id === held.id)
        ?.deliveries.find((d) => d.channel === 'EMAIL');
      return delivery?.status === 'DEAD' && delivery;
    }, 'the held email to be dropped');
    expect(dropped.lastError).toMatch(/turned off/);
    expect(smtp.messages.length).toBe(sentBefore);
  });

  it('queues reminders of upcoming trips and pending pushes again when in-process workers start, without sending one twice', async () => {
    await harness.emit(
      'trip.created',
      tripCreated(
        { tripId: 'trip-yan', userId: 'yan', destinationCode: 'BGO', startInDays: 10, endInDays: 12 },
        clock.now(),
      ),
    );
    const reminders = harness.services.queues.reminders;
    const dueAt = Date.parse(`${isoDay(clock.now() + 7 * DAY_MS)}T09:00:00Z`);
    await harness.until(() => reminders.getJob(reminderJobId('trip-yan', 3)), "yan's reminder job");
    // A restart: the in-process delayed jobs are gone.
    for (const days of [3, 1]) expect(await reminders.remove(reminderJobId('trip-yan', days))).toBe(true);
    const uma = (await inboxOf(harness, 'uma')).entries.map((entry) => entry.id);
    // A push whose job was lost: the process died after committing the entry, before queueing it.
    const {
      rows: [pending],
    } = await sql<{
      id: string;
    }>`insert into notification.notifications (user_id, kind, severity, title, body, dedupe_key)
      values ('wes', 'SYSTEM', 'INFO', 'Retry me', 'Hello.', 'retry-me') returning id`.execute(harness.db);
    await sql`insert into notification.deliveries (notification_id, channel, status, attempts)
      values (${pending!.id}, 'IN_APP', 'SENT', 1), (${pending!.id}, 'WEBHOOK', 'QUEUED', 0)`.execute(
      harness.db,
    );
    // Read from the table: the entry was written behind the inbox cache's back.
    const webhookOf = async () =>
      (
        await sql<{ status: string; attempts: number }>`select status, attempts from notification.deliveries
        where notification_id = ${pending!.id} and channel = 'WEBHOOK'`.execute(harness.db)
      ).rows[0];

    const workers = harness.services.startWorkers();
    try {
      const restored = await harness.until(
        () => reminders.getJob(reminderJobId('trip-yan', 3)),
        "yan's restored reminder",
      );
      expect(restored).toMatchObject({
        state: 'delayed',
        data: { tripId: 'trip-yan', userId: 'yan', daysBefore: 3 },
      });
      // Due 3 days before the start at 09:00 UTC, counted from the (injected) clock.
      expect(Math.abs(restored.dueAt! - Date.now() - (dueAt - clock.now()))).toBeLessThan(60_000);
      expect((await reminders.getJob(reminderJobId('trip-yan', 1)))?.state).toBe('delayed');
      // uma's reminder (already sent) was queued again as overdue: the inbox keeps one entry.
      await harness.until(async () => {
        const counts = await harness.services.queues.inApp.counts();
        return (await reminders.counts()).waiting + counts.waiting + counts.active === 0;
      }, 'the restored overdue reminders to run');
      expect((await inboxOf(harness, 'uma')).entries.map((entry) => entry.id)).toEqual(uma);
      // The webhook call that lost its job is queued again and made.
      const sent = await harness.until(async () => {
        const delivery = await webhookOf();
        return delivery?.status === 'SENT' && delivery;
      }, 'the pending webhook call after the restart');
      expect(sent.attempts).toBe(1);
      expect(webhook.calls.at(-1)!.json).toMatchObject({ id: pending!.id, title: 'Retry me' });
    } finally {
      await workers.close();
    }
  });
});
