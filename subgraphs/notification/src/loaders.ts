import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import type { Database, DeliveryRow, NotificationRow } from './db/database.ts';
import { deliveriesOf, notificationsByIds } from './db/notifications.repository.ts';

/** Per-request loaders: one SQL statement per batch, results in key order. */
export function createLoaders(db: Kysely<Database>) {
  return {
    deliveries: new DataLoader<string, DeliveryRow[]>(async (ids) => {
      const rows = await deliveriesOf(db, ids);
      const byId = new Map<string, DeliveryRow[]>();
      for (const row of rows) byId.set(row.notification_id, [...(byId.get(row.notification_id) ?? []), row]);
      return ids.map((id) => byId.get(id) ?? []);
    }),
    notification: new DataLoader<string, NotificationRow | undefined>(async (ids) => {
      const rows = await notificationsByIds(db, ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
