import type { Connection } from '@traveloure/platform';
import type { DeliveryRow, NotificationRow, PreferenceRow } from './db/database.ts';

/** What resolvers pass around. Cached rows come back from Redis with dates as strings. */
export interface UserModel {
  id: string;
}
export type NotificationModel = Omit<NotificationRow, 'created_at' | 'read_at'> & {
  created_at: Date | string;
  read_at: Date | string | null;
};
export type DeliveryModel = DeliveryRow;
export type PreferencesModel = PreferenceRow;
export type NotificationConnectionModel = Connection<NotificationModel>;
