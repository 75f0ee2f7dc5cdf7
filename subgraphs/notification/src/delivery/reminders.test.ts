import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock, MemoryJobQueue } from '@traveloure/platform';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Notifier, ReminderJob } from './notifier.ts';
import { createReminders, reminderJobId } from './reminders.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('trip reminder scheduling (injected clock)', () => {
  const queue = new MemoryJobQueue<ReminderJob>('reminders-unit', { attempts: 5, backoffMs: 10 });
  afterEach(async () => {
    for (const trip of ['t1', 't2', 't3', 't4']) await reminders.cancel(trip);
  });
  const clock = createManualClock('2026-06-10T12:00:00Z');
  const reminders = createReminders({
    db: {} as Kysely<Database>,
    notifier: {} as Notifier,
    queue,
    clock,
    hourUtc: 9,
  });
  const job = (tripId: string, days: number) => queue.getJob(reminderJobId(tripId, days));
  const delayOf = async (tripId: string, days: number) => {
    const snapshot = await job(tripId, days);
    return snapshot?.state === 'delayed' ? snapshot.dueAt! - Date.now() : snapshot ? 0 : undefined;
  };

  it('schedules both reminders at 09:00 UTC, 3 days and 1 day before the start', async () => {
    await reminders.schedule({
      tripId: 't1',
      userId: 'u',
      startDate: '2026-06-20',
      version: '2026-06-10T12:00:00Z',
    });
    // 2026-06-17T09:00Z and 2026-06-19T09:00Z, from 2026-06-10T12:00Z.
    expect(Math.abs((await delayOf('t1', 3))! - (7 * DAY - 3 * HOUR))).toBeLessThan(5_000);
    expect(Math.abs((await delayOf('t1', 1))! - (9 * DAY - 3 * HOUR))).toBeLessThan(5_000);
  });

  it('sends the nearest overdue reminder at once and none for a trip already started', async () => {
    await reminders.schedule({ tripId: 't2', userId: 'u', startDate: '2026-06-12', version: 'v' });
    expect((await job('t2', 3))?.state).toBe('waiting');
    expect(await delayOf('t2', 1)).toBeGreaterThan(20 * HOUR);
    await reminders.schedule({ tripId: 't3', userId: 'u', startDate: '2026-06-11', version: 'v' });
    expect(await job('t3', 3)).toBeUndefined();
    expect((await job('t3', 1))?.state).toBe('waiting');
    await reminders.schedule({ tripId: 't4', userId: 'u', startDate: '2026-06-10', version: 'v' });
    expect(await job('t4', 3)).toBeUndefined();
    expect(await job('t4', 1)).toBeUndefined();
  });

  it('moves the jobs when rescheduled and removes them when cancelled', async () => {
    await reminders.schedule({ tripId: 't1', userId: 'u', startDate: '2026-06-20', version: 'v1' });
    await reminders.schedule({ tripId: 't1', userId: 'u', startDate: '2026-07-20', version: 'v2' });
    expect((await job('t1', 3))?.data).toMatchObject({ startDate: '2026-07-20', version: 'v2' });
    await reminders.cancel('t1');
    expect(await job('t1', 3)).toBeUndefined();
    expect(await job('t1', 1)).toBeUndefined();
  });
});
