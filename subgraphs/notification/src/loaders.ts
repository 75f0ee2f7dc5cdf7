import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { groupedInKeyOrder, inKeyOrder } from '@traveloure/platform';
import type { Database, DeliveryRow, NotificationRow } from './db/database.ts';
import { deliveriesOf, notificationsByIds } from './db/notifications.repository.ts';

export interface Loaders {
  notificationById: DataLoader<string, NotificationRow | null>;
  deliveriesByNotificationId: DataLoader<string, DeliveryRow[]>;
}

/** Per-request loaders: one SQL statement per batch, results in key order, null for missing. */
export function createLoaders(db: Kysely<Database>): Loaders {
  return {
    notificationById: new DataLoader(async (ids) =>
      inKeyOrder(ids, await notificationsByIds(db, ids), (row) => row.id),
    ),
    deliveriesByNotificationId: new DataLoader(async (ids) =>
      groupedInKeyOrder(ids, await deliveriesOf(db, ids), (row) => row.notification_id),
    ),
  };
}
