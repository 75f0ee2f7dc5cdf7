import { deliveryStats, type StatRow } from '../db/notifications.repository.ts';
import type { NotificationServices } from '../services.ts';

const DAY_MS = 86_400_000;

/** Deliveries per day, channel and status over the last `days` days (UTC, today included), from the replica. */
export function notificationStats(
  services: Pick<NotificationServices, 'readDb' | 'clock'>,
  days: number,
): Promise<StatRow[]> {
  const today = new Date(services.clock.now());
  const since = new Date(
    Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - (days - 1) * DAY_MS,
  );
  return deliveryStats(services.readDb, since);
}
