import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '@traveloure/platform';
import type { Database, SeverityValue } from '../db/database.ts';
import { travelersAt } from '../db/projection.repository.ts';
import type { Notifier } from './notifier.ts';

const DAY_MS = 86_400_000;
const isoDate = (time: number) => new Date(time).toISOString().slice(0, 10);

export interface EmergencyAlert {
  destinationCode: string;
  severity: SeverityValue;
  title: string;
  body: string;
}

/**
 * Queues the alert for every traveler whose trip to the destination is under way or starts
 * within 7 days, a batch of users at a time (one keyset query and one bulk queue add each).
 * Returns how many travelers it reached; their inbox entries appear as the workers drain.
 */
export async function broadcastEmergencyAlert(
  deps: { db: Kysely<Database>; notifier: Notifier; clock: Clock; batchSize: number },
  alert: EmergencyAlert,
): Promise<{ alertId: string; recipients: number }> {
  const alertId = randomUUID();
  const now = deps.clock.now();
  const today = isoDate(now);
  const horizon = isoDate(now + 7 * DAY_MS);
  let after = '';
  let recipients = 0;
  for (;;) {
    const users = await travelersAt(deps.db, alert.destinationCode, today, horizon, after, deps.batchSize);
    if (users.length === 0) break;
    await deps.notifier.notifyMany(
      users.map((userId) => ({
        userId,
        kind: 'EMERGENCY_ALERT' as const,
        severity: alert.severity,
        title: alert.title,
        body: alert.body,
        dedupeKey: alertId,
        data: { alertId, destinationCode: alert.destinationCode },
      })),
    );
    recipients += users.length;
    after = users.at(-1)!;
    if (users.length < deps.batchSize) break;
  }
  return { alertId, recipients };
}
