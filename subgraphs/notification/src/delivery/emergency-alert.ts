import type { SeverityValue } from '../db/database.ts';

// The shape of an alert and of its fan-out job, apart from broadcast.ts: the notifier that
// delivers a job needs the shape, and broadcast.ts needs the notifier.
export interface EmergencyAlert {
  destinationCode: string;
  severity: SeverityValue;
  title: string;
  body: string;
}

/** One broadcast's fan-out: the alert and the window fixed when the admin sent it. */
export interface BroadcastJob extends EmergencyAlert {
  alertId: string;
  /** Trips under way on this day (UTC)... */
  today: string;
  /** ...or starting by this one (today + 7 days). */
  horizon: string;
}
