import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '@traveloure/platform';
import { startSmtpEmulator, type SmtpEmulator } from '../../../tests/emulators/smtp/server.ts';
import { DAY_MS, inboxOf, isoDay, startNotificationHarness, type NotificationHarness } from './test-support.ts';

// Without Redis the queues are in process (the embedded default) and must retry and dead-letter
// exactly as BullMQ does: the same pipeline, on PostgreSQL, with no REDIS_URL at all.
describe('delivery on the in-process queue (no Redis)', () => {
  let harness: NotificationHarness;
  let smtp: SmtpEmulator;
  const clock = createManualClock('2026-06-10T12:00:00Z');

  beforeAll(async () => {
    smtp = await startSmtpEmulator();
    harness = await startNotificationHarness('notif_memq', { clock, redisUrl: null, env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await harness?.close();
    await smtp?.close();
  });

  const tripIn2Days = async (userId: string) => {
    await harness.emit('user.created', { userId, email: `${userId}@example.test`, name: userId, region: 'EU_WEST' });
    await harness.emit('trip.created', {
      tripId: `trip-${userId}`,
      userId,
      title: `${userId} trip`,
      destinationCode: 'OSL',
      startDate: isoDay(clock.now() + 2 * DAY_MS),
      endDate: isoDay(clock.now() + 4 * DAY_MS),
    });
  };
  const emailOf = (userId: string, status: string) =>
    harness.until(async () => {
      const delivery = (await inboxOf(harness, userId)).entries[0]?.deliveries.find((d) => d.channel === 'EMAIL');
      return delivery?.status === status && delivery;
    }, `${userId}'s email to be ${status}`);

  it('retries a transient SMTP failure until it is sent, and makes five failures DEAD with the last error', async () => {
    expect(harness.app.queues.email.kind).toBe('memory');
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
});
