import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock, JobQueue, Logger, RunningJob, Viewer } from '@traveloure/platform';
import type { Database } from '../db/database.ts';
import { countTravelersAt, travelersAt } from '../db/projection.repository.ts';
import type { NotificationQueues, Notifier } from '../delivery/notifier.ts';
import type { BroadcastJob, EmergencyAlert } from '../delivery/emergency-alert.ts';

export type { BroadcastJob, EmergencyAlert } from '../delivery/emergency-alert.ts';

const DAY_MS = 86_400_000;
const isoDate = (time: number) => new Date(time).toISOString().slice(0, 10);

/**
 * Starts an emergency broadcast: counts the travelers whose trip to the destination is under
 * way or starts within 7 days and queues one fan-out job for them (job id = the alert id).
 * The mutation answers at once whatever the crowd's size, so it never outlasts the gateway's
 * subgraph timeout (a timed-out, retried broadcast would alert everyone twice).
 */
export async function startBroadcast(
  deps: { db: Kysely<Database>; queue: JobQueue<BroadcastJob>; clock: Clock },
  alert: EmergencyAlert,
): Promise<{ alertId: string; recipients: number }> {
  const alertId = randomUUID();
  const now = deps.clock.now();
  const job: BroadcastJob = { ...alert, alertId, today: isoDate(now), horizon: isoDate(now + 7 * DAY_MS) };
  const recipients = await countTravelersAt(deps.db, alert.destinationCode, job.today, job.horizon);
  if (recipients > 0) await deps.queue.add('broadcast', job, { jobId: `broadcast.${alertId}` });
  return { alertId, recipients };
}

/**
 * The fan-out job: a batch of travelers at a time (one keyset query and one bulk add of IN_APP
 * jobs each), all with the alert id as dedupe key, so a re-run job never doubles an entry.
 * Returns how many travelers it queued.
 */
export async function fanOutBroadcast(
  deps: { db: Kysely<Database>; notifier: Notifier; batchSize: number },
  job: RunningJob<BroadcastJob>,
): Promise<number> {
  const alert = job.data;
  let after = '';
  let queued = 0;
  for (;;) {
    const users = await travelersAt(
      deps.db,
      alert.destinationCode,
      alert.today,
      alert.horizon,
      after,
      deps.batchSize,
    );
    if (users.length === 0) break;
    await deps.notifier.notifyMany(
      users.map((userId) => ({
        userId,
        kind: 'EMERGENCY_ALERT' as const,
        severity: alert.severity,
        title: alert.title,
        body: alert.body,
        dedupeKey: alert.alertId,
        data: { alertId: alert.alertId, destinationCode: alert.destinationCode },
      })),
    );
    queued += users.length;
    after = users.at(-1)!;
    if (users.length < deps.batchSize) break;
  }
  return queued;
}

/**
 * What a broadcast needs of the service's dependencies, named here: services.ts imports this
 * module (for the fan-out worker), so this one does not import services.ts back.
 */
export interface BroadcastDeps {
  db: Kysely<Database>;
  queues: Pick<NotificationQueues, 'broadcasts'>;
  clock: Clock;
}

/** The admin's broadcast, queued for fan-out at once; logged with who sent it. */
export async function broadcastEmergencyAlert(
  services: BroadcastDeps,
  logger: Logger,
  sender: Viewer,
  alert: EmergencyAlert,
): Promise<{ recipients: number }> {
  const { alertId, recipients } = await startBroadcast(
    { db: services.db, queue: services.queues.broadcasts, clock: services.clock },
    alert,
  );
  logger.info(
    { alertId, destinationCode: alert.destinationCode, severity: alert.severity, recipients, by: sender.id },
    'emergency alert broadcast',
  );
  return { recipients };
}
