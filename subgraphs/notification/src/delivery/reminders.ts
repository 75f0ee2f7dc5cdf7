import type { Kysely } from 'kysely';
import type { Clock, JobQueue, RunningJob } from '@traveloure/platform';
import type { Database } from '../db/database.ts';
import { findTrip, upcomingTrips } from '../db/projection.repository.ts';
import type { Notifier, ReminderJob } from './notifier.ts';

const DAY_MS = 86_400_000;
/** Days before the start a reminder goes out. */
export const REMINDER_DAYS = [3, 1] as const;

export const reminderJobId = (tripId: string, daysBefore: number) =>
  `reminder.${tripId}.${daysBefore}d`.replace(/:/g, '_');

const startOf = (date: string) => Date.parse(`${date}T00:00:00Z`);

/**
 * Trip reminders as delayed jobs, 3 days and 1 day before the start (at `hourUtc`). Moving the
 * dates removes and re-adds them; a reminder already due when the trip is created or moved
 * (a trip starting in 2 days) goes out now, the nearest one only. The handler checks the trip
 * again when it fires, so a job that escaped removal does nothing.
 */
export function createReminders(deps: {
  db: Kysely<Database>;
  queue: JobQueue<ReminderJob>;
  notifier: Notifier;
  clock: Clock;
  hourUtc: number;
}) {
  const { queue, clock } = deps;

  async function cancel(tripId: string) {
    for (const days of REMINDER_DAYS) await queue.remove(reminderJobId(tripId, days));
  }

  async function schedule(trip: { tripId: string; userId: string; startDate: string; version: string }) {
    await cancel(trip.tripId);
    const now = clock.now();
    const start = startOf(trip.startDate);
    if (start <= now) return;
    const slots = REMINDER_DAYS.map((daysBefore) => ({
      daysBefore,
      dueAt: start - daysBefore * DAY_MS + deps.hourUtc * 3_600_000,
    }));
    const overdue = slots.filter((slot) => slot.dueAt <= now);
    const nearestOverdue = overdue.sort((a, b) => a.daysBefore - b.daysBefore)[0];
    const jobs = [...slots.filter((slot) => slot.dueAt > now), ...(nearestOverdue ? [nearestOverdue] : [])];
    await queue.addBulk(
      jobs.map((slot) => ({
        name: 'reminder',
        data: {
          tripId: trip.tripId,
          userId: trip.userId,
          startDate: trip.startDate,
          daysBefore: slot.daysBefore,
          version: trip.version,
        },
        options: {
          jobId: reminderJobId(trip.tripId, slot.daysBefore),
          delayMs: Math.max(0, slot.dueAt - now),
        },
      })),
    );
  }

  return {
    cancel,
    schedule,

    /**
     * Schedules again the reminders of every upcoming trip in the projection. The in-process
     * queue (embedded mode) loses its delayed jobs with the process, so workers call this when
     * they start on it. A reminder that already went out is not sent twice: its inbox entry's
     * dedupe key (trip, start date, days before) is taken. Returns how many trips it scheduled.
     */
    async restore(batchSize = 500): Promise<number> {
      const today = new Date(clock.now()).toISOString().slice(0, 10);
      let after = '';
      let restored = 0;
      for (;;) {
        const trips = await upcomingTrips(deps.db, today, after, batchSize);
        for (const trip of trips) {
          await schedule({
            tripId: trip.trip_id,
            userId: trip.user_id,
            startDate: trip.start_date,
            version: new Date(trip.version).toISOString(),
          });
        }
        restored += trips.length;
        if (trips.length < batchSize) return restored;
        after = trips.at(-1)!.trip_id;
      }
    },

    async handle(job: RunningJob<ReminderJob>) {
      const { tripId, startDate, daysBefore } = job.data;
      const trip = await findTrip(deps.db, tripId);
      // Jobs are queued inside the event's transaction: until it commits the projection lags
      // behind the job, and a retry (with backoff) finds it.
      if (!trip || new Date(trip.version).getTime() < Date.parse(job.data.version)) {
        throw new Error(`trip ${tripId} not yet projected at ${job.data.version}`);
      }
      // Deleted or moved since this job was scheduled: the new dates have their own jobs.
      if (trip.deleted || trip.start_date !== startDate) return;
      const daysLeft = Math.max(0, Math.ceil((startOf(startDate) - clock.now()) / DAY_MS));
      const when = daysLeft === 0 ? 'today' : daysLeft === 1 ? 'tomorrow' : `in ${daysLeft} days`;
      await deps.notifier.notify({
        userId: trip.user_id,
        kind: 'TRIP_REMINDER',
        severity: 'INFO',
        title: `${trip.title || 'Your trip'} starts ${when}`,
        body: `Your trip to ${trip.destination_code} starts on ${startDate}${trip.end_date ? ` and ends on ${trip.end_date}` : ''}. Time to check your itinerary and bookings.`,
        dedupeKey: `${tripId}.${startDate}.${daysBefore}d`,
        data: { tripId, startDate, daysBefore },
      });
    },
  };
}

export type Reminders = ReturnType<typeof createReminders>;
