import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createManualClock } from '@traveloure/platform';
import { startSmtpEmulator, type SmtpEmulator } from '@traveloure/testing';
import { startWebhookEmulator, webhookEmulatorEnv, type WebhookEmulator } from '@traveloure/testing';
import { reminderJobId } from './delivery/reminders.ts';
import { DAY_MS, inboxOf, isoDay, startSubgraphForTest, type SubgraphForTest } from './test-support.ts';

// Events in through the outbox relay, deliveries out through real SMTP and HTTP on loopback.
describe('notification pipeline (PostgreSQL, Redis, SMTP, webhooks)', () => {
  let harness: SubgraphForTest;
  let smtp: SmtpEmulator;
  let webhook: WebhookEmulator;
  const clock = createManualClock('2026-06-10T12:00:00Z');
  const today = clock.now();

  beforeAll(async () => {
    smtp = await startSmtpEmulator();
    webhook = await startWebhookEmulator();
    harness = await startSubgraphForTest('notif_pipeline', {
      clock,
      env: { SMTP_URL: smtp.url, ...webhookEmulatorEnv },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await smtp?.close();
    await webhook?.close();
  });

  const addTraveler = async (userId: string, email: string | null = `${userId}@example.test`) => {
    await harness.emit('user.created', { userId, email, name: `Traveler ${userId}`, region: 'EU_WEST' });
  };
  const addTrip = (
    tripId: string,
    userId: string,
    destinationCode: string,
    startInDays: number,
    lengthDays = 5,
  ) =>
    harness.emit('trip.created', {
      tripId,
      userId,
      title: `Trip ${tripId}`,
      destinationCode,
      startDate: isoDay(today + startInDays * DAY_MS),
      endDate: isoDay(today + (startInDays + lengthDays) * DAY_MS),
      region: 'EU_WEST',
    });

  it('turns a trip starting in 2 days into one TRIP_REMINDER in the inbox and an email, and acknowledges the events', async () => {
    await addTraveler('alice');
    await addTrip('trip-a', 'alice', 'PAR', 2);
    const inbox = await harness.until(async () => {
      const current = await inboxOf(harness, 'alice');
      return (
        current.entries.length > 0 &&
        current.entries[0]!.deliveries.some((d) => d.channel === 'EMAIL' && d.status === 'SENT') &&
        current
      );
    }, 'the reminder and its email');
    expect(inbox.entries).toHaveLength(1);
    expect(inbox.entries[0]).toMatchObject({
      kind: 'TRIP_REMINDER',
      severity: 'INFO',
      title: 'Trip trip-a starts in 2 days',
      readAt: null,
    });
    expect(inbox.unread).toBe(1);
    const [email] = await smtp.waitFor(1);
    expect(email!.to).toEqual(['alice@example.test']);
    expect(email!.subject).toBe('Trip trip-a starts in 2 days');
    expect(email!.text).toContain(`Your trip to PAR starts on ${isoDay(today + 2 * DAY_MS)}`);
    expect(email!.headers['x-traveloure-notification-id']).toBe(inbox.entries[0]!.id);
    // The 1-day reminder waits as a delayed job, due at 09:00 UTC the day before the start.
    const dayBefore = await harness.services.queues.reminders.getJob(reminderJobId('trip-a', 1));
    expect(dayBefore?.state).toBe('delayed');
    expect(dayBefore?.data.startDate).toBe(isoDay(today + 2 * DAY_MS));
    // Consumers acknowledged every event: the relay marked them published.
    await harness.until(async () => {
      const { rows } = await sql<{
        waiting: number;
      }>`select count(*)::int as waiting from trip.outbox where published_at is null`.execute(harness.db);
      return rows[0]!.waiting === 0;
    }, 'acknowledgements');
  });

  it('moves the reminders when the dates change and cancels them when the trip is deleted', async () => {
    await addTraveler('bob');
    await addTrip('trip-b', 'bob', 'ROM', 20);
    const due = (days: number) => Date.parse(`${isoDay(today + 30 * DAY_MS)}T09:00:00Z`) - days * DAY_MS;
    await harness.until(
      () => harness.services.queues.reminders.getJob(reminderJobId('trip-b', 3)),
      'the first reminder job',
    );
    await harness.emit('trip.updated', {
      tripId: 'trip-b',
      userId: 'bob',
      title: 'Trip trip-b',
      destinationCode: 'ROM',
      startDate: isoDay(today + 30 * DAY_MS),
      endDate: isoDay(today + 33 * DAY_MS),
    });
    const moved = await harness.until(async () => {
      const job = await harness.services.queues.reminders.getJob(reminderJobId('trip-b', 3));
      return job?.data.startDate === isoDay(today + 30 * DAY_MS) && job;
    }, 'the moved reminder');
    expect(moved.state).toBe('delayed');
    // Scheduled from the injected clock: due 3 days before the new start (Redis keeps real time).
    expect(Math.abs(moved.dueAt! - (Date.now() + (due(3) - clock.now())))).toBeLessThan(60_000);
    await harness.emit('trip.deleted', { tripId: 'trip-b', userId: 'bob' });
    await harness.until(
      async () =>
        !(await harness.services.queues.reminders.getJob(reminderJobId('trip-b', 3))) &&
        !(await harness.services.queues.reminders.getJob(reminderJobId('trip-b', 1))),
      'cancelled reminders',
    );
    expect((await inboxOf(harness, 'bob')).entries).toEqual([]);
  });

  it('delivers a reminder once even when the same event is relayed twice', async () => {
    await addTraveler('carol', null);
    const eventId = await addTrip('trip-c', 'carol', 'NYC', 1);
    await harness.until(async () => (await inboxOf(harness, 'carol')).entries.length === 1, 'the reminder');
    const acknowledged = async () =>
      (
        await sql<{
          published_at: Date | null;
          attempts: number;
        }>`select published_at, attempts from trip.outbox where id = ${eventId}`.execute(harness.db)
      ).rows[0]!;
    await harness.until(async () => (await acknowledged()).published_at !== null, 'the acknowledgement');
    // Republish the same outbox row (as after Redis lost it): the consumer dedupes on the event id.
    await sql`update trip.outbox set published_at = null where id = ${eventId}`.execute(harness.db);
    await harness.until(async () => {
      const row = await acknowledged();
      return row.published_at !== null && row.attempts === 2;
    }, 'the republished event to be acknowledged again');
    const inbox = await inboxOf(harness, 'carol');
    expect(inbox.entries).toHaveLength(1);
    // No email address known: the inbox only.
    expect(inbox.entries[0]!.deliveries.map((d) => d.channel)).toEqual(['IN_APP']);
  });

  it('marks a delivery DEAD with the last error after SMTP fails five times', async () => {
    await addTraveler('dave');
    smtp.setFailure({ code: 451, message: 'Mailbox temporarily unavailable' });
    try {
      await addTrip('trip-d', 'dave', 'LON', 2);
      const email = await harness.until(async () => {
        const entry = (await inboxOf(harness, 'dave')).entries[0];
        const delivery = entry?.deliveries.find((d) => d.channel === 'EMAIL');
        return delivery?.status === 'DEAD' && delivery;
      }, 'the email delivery to die');
      expect(email.attempts).toBe(5);
      expect(email.lastError).toContain('Mailbox temporarily unavailable');
    } finally {
      smtp.setFailure(undefined);
    }
    const { body: stats } = await harness.graphql(
      `{ notificationStats(days: 1) { channel sent failed dead } }`,
      {},
      { id: 'ana', roles: ['ANALYST'] },
    );
    const emailStats = stats.data.notificationStats.find(
      (row: { channel: string }) => row.channel === 'EMAIL',
    );
    expect(emailStats).toMatchObject({ failed: 4, dead: 1 });
    expect(emailStats.sent).toBeGreaterThanOrEqual(1);
    const { body: refused } = await harness.graphql(`{ notificationStats { channel } }`, {}, { id: 'dave' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('signs webhook calls with HMAC-SHA256 over timestamp and body; quiet hours hold back all but CRITICAL', async () => {
    await addTraveler('erin', null);
    await addTrip('trip-e', 'erin', 'TYO', 4);
    const { body: refused } = await harness.graphql(
      `mutation { updateNotificationPreferences(input: { webhookUrl: "http://hooks.example.com/x" }) { preferences { webhookUrl } userErrors { field code } } }`,
      {},
      { id: 'erin' },
    );
    expect(refused.data.updateNotificationPreferences).toEqual({
      preferences: null,
      userErrors: [{ field: ['input', 'webhookUrl'], code: 'INVALID_WEBHOOK_URL' }],
    });
    const { body: updated } = await harness.graphql(
      `mutation($url: String) { updateNotificationPreferences(input: { webhookUrl: $url }) { preferences { webhookUrl webhookSigningSecret } userErrors { code } } }`,
      { url: webhook.url },
      { id: 'erin' },
    );
    const preferences = updated.data.updateNotificationPreferences.preferences;
    expect(preferences.webhookUrl).toBe(webhook.url);
    webhook.setSecret(preferences.webhookSigningSecret);
    await harness.until(
      () => harness.services.queues.reminders.getJob(reminderJobId('trip-e', 3)),
      'the reminder job',
    );
    await harness.services.queues.reminders.promote(reminderJobId('trip-e', 3));
    const [call] = await webhook.waitFor(1);
    expect(call!.signatureValid).toBe(true);
    expect(call!.json).toMatchObject({
      userId: 'erin',
      kind: 'TRIP_REMINDER',
      title: 'Trip trip-e starts in 4 days',
    });

    // Quiet hours around the (injected) current time: an INFO alert waits, a CRITICAL one goes.
    const { body: quiet } = await harness.graphql(
      `mutation { updateNotificationPreferences(input: { quietHours: { start: "11:00", end: "13:00", timeZone: "UTC" } }) { preferences { quietHours { start end timeZone } } } }`,
      {},
      { id: 'erin' },
    );
    expect(quiet.data.updateNotificationPreferences.preferences.quietHours).toEqual({
      start: '11:00',
      end: '13:00',
      timeZone: 'UTC',
    });
    for (const severity of ['INFO', 'CRITICAL']) {
      const { body: result } = await harness.graphql(
        `mutation($s: Severity!) { broadcastEmergencyAlert(input: { destinationCode: "TYO", severity: $s, title: "Typhoon (${severity})", body: "Stay indoors." }) { recipients userErrors { code } } }`,
        { s: severity },
        { id: 'root', roles: ['ADMIN'] },
      );
      expect(result.data.broadcastEmergencyAlert).toEqual({ recipients: 1, userErrors: [] });
    }
    const calls = await webhook.waitFor(2);
    expect(calls[1]!.json).toMatchObject({ kind: 'EMERGENCY_ALERT', severity: 'CRITICAL' });
    const held = (await inboxOf(harness, 'erin')).entries.find((entry) => entry.title === 'Typhoon (INFO)');
    expect(held?.deliveries.find((d) => d.channel === 'WEBHOOK')?.status).toBe('QUEUED');
    const heldJob = await harness.services.queues.webhook.getJob(`webhook.${held!.id}`);
    expect(heldJob?.state).toBe('delayed');
  });

  it('lets only the owner mark a notification read, through a cache invalidated on change', async () => {
    const inbox = await inboxOf(harness, 'alice');
    const target = inbox.entries[0]!;
    const { body: stranger } = await harness.graphql(
      `mutation($id: ID!) { markNotificationRead(id: $id) { notification { id } userErrors { code } } }`,
      { id: target.id },
      { id: 'mallory' },
    );
    expect(stranger.data.markNotificationRead).toEqual({
      notification: null,
      userErrors: [{ code: 'NOT_FOUND' }],
    });
    expect((await inboxOf(harness, 'alice')).unread).toBe(1);
    const { body: peek } = await harness.graphql(
      `query($id: ID!) { _entities(representations: [{ __typename: "User", id: $id }]) { ... on User { unreadNotificationCount } } }`,
      { id: 'alice' },
      { id: 'mallory' },
    );
    expect(peek.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const { body: own } = await harness.graphql(
      `mutation($id: ID!) { markNotificationRead(id: $id) { notification { id readAt } userErrors { code } } }`,
      { id: target.id },
      { id: 'alice' },
    );
    expect(own.data.markNotificationRead.notification.readAt).not.toBeNull();
    const after = await inboxOf(harness, 'alice');
    expect(after.unread).toBe(0);
    expect((await inboxOf(harness, 'alice', true)).entries).toEqual([]);
  });

  it('notifies every recipient of an expert message once, even when the message event repeats', async () => {
    const message = {
      conversationId: 'conv-1',
      messageId: 'msg-1',
      recipientUserIds: ['ivy', 'jon'],
      authorKind: 'EXPERT',
      authorName: 'Marie',
      preview: 'I booked the Louvre for Tuesday morning.',
    };
    await harness.emit('conversation.message_created', message);
    await harness.emit('conversation.message_created', message);
    for (const userId of ['ivy', 'jon']) {
      const inbox = await harness.until(async () => {
        const current = await inboxOf(harness, userId);
        return current.entries.length > 0 && current;
      }, `${userId}'s message notification`);
      expect(inbox.entries.map(({ kind, title, body }) => ({ kind, title, body }))).toEqual([
        {
          kind: 'EXPERT_MESSAGE',
          title: 'New message from Marie',
          body: 'I booked the Louvre for Tuesday morning.',
        },
      ]);
    }
    // Both events were applied (two event ids) before the count is final.
    await harness.until(async () => {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from notification.processed_events where event_type = 'conversation.message_created'`.execute(
        harness.db,
      );
      return rows[0]!.n === 2;
    }, 'both message events');
    await harness.until(
      async () =>
        (await harness.services.queues.inApp.counts()).waiting === 0 &&
        (await harness.services.queues.inApp.counts()).active === 0,
      'the inbox queue to drain',
    );
    expect((await inboxOf(harness, 'ivy')).entries).toHaveLength(1);
  });

  it('broadcasts to travelers at the destination only, and only for admins', async () => {
    await addTraveler('fay');
    await addTraveler('gus');
    await addTraveler('hal');
    await addTrip('trip-f', 'fay', 'BKK', -2); // under way
    await addTrip('trip-g', 'gus', 'SYD', 3); // elsewhere
    await addTrip('trip-h', 'hal', 'BKK', 20); // too far ahead
    await harness.until(async () => {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from notification.trip_projection where trip_id in ('trip-f', 'trip-g', 'trip-h')`.execute(
        harness.db,
      );
      return rows[0]!.n === 3;
    }, 'the trip projection');
    const { body: forbidden } = await harness.graphql(
      `mutation { broadcastEmergencyAlert(input: { destinationCode: "BKK", severity: WARNING, title: "Floods", body: "Avoid the river." }) { recipients } }`,
      {},
      { id: 'fay' },
    );
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const { body: invalid } = await harness.graphql(
      `mutation { broadcastEmergencyAlert(input: { destinationCode: "B1", severity: WARNING, title: "", body: "x" }) { recipients userErrors { field } } }`,
      {},
      { id: 'root', roles: ['ADMIN'] },
    );
    expect(
      invalid.data.broadcastEmergencyAlert.userErrors.map((e: { field: string[] }) => e.field.join('.')),
    ).toEqual(['input.destinationCode', 'input.title']);
    const { body: sent } = await harness.graphql(
      `mutation { broadcastEmergencyAlert(input: { destinationCode: "BKK", severity: WARNING, title: "Floods", body: "Avoid the river." }) { recipients userErrors { code } } }`,
      {},
      { id: 'root', roles: ['ADMIN'] },
    );
    expect(sent.data.broadcastEmergencyAlert).toEqual({ recipients: 1, userErrors: [] });
    await harness.until(
      async () => (await inboxOf(harness, 'fay')).entries.some((entry) => entry.kind === 'EMERGENCY_ALERT'),
      'the alert',
    );
    expect(
      (await inboxOf(harness, 'gus')).entries.filter((entry) => entry.kind === 'EMERGENCY_ALERT'),
    ).toEqual([]);
    expect(
      (await inboxOf(harness, 'hal')).entries.filter((entry) => entry.kind === 'EMERGENCY_ALERT'),
    ).toEqual([]);
  });
});
