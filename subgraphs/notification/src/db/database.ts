import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type ChannelValue = 'IN_APP' | 'EMAIL' | 'WEBHOOK';
export type DeliveryStatusValue = 'QUEUED' | 'SENT' | 'FAILED' | 'DEAD';
export type SeverityValue = 'INFO' | 'WARNING' | 'CRITICAL';
export type NotificationKindValue =
  'TRIP_REMINDER' | 'PRICE_ALERT' | 'EMERGENCY_ALERT' | 'EXPERT_MESSAGE' | 'ITINERARY_READY' | 'SYSTEM';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ProcessedEventTable {
  event_id: string;
  source: string;
  event_type: string;
  processed_at: Timestamp;
}

/** The notification service's own copy of what it needs about users (from user.* events). */
export interface UserProjectionTable {
  user_id: string;
  email: string | null;
  name: string | null;
  region: string | null;
  /** occurredAt of the event last applied: older events never overwrite newer ones. */
  version: ColumnType<Date, Date | string, Date | string>;
  updated_at: Timestamp;
}

/** The notification service's own copy of trips (from trip.* events); deleted ones are tombstones. */
export interface TripProjectionTable {
  trip_id: string;
  user_id: string;
  title: string;
  destination_code: string;
  start_date: ColumnType<string | null, string | null, string | null>;
  end_date: ColumnType<string | null, string | null, string | null>;
  region: string | null;
  deleted: Generated<boolean>;
  version: ColumnType<Date, Date | string, Date | string>;
  updated_at: Timestamp;
}

export interface NotificationTable {
  id: Generated<string>;
  user_id: string;
  kind: NotificationKindValue;
  severity: SeverityValue;
  title: string;
  body: string;
  dedupe_key: string;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Timestamp;
  read_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface DeliveryTable {
  notification_id: string;
  channel: ChannelValue;
  status: DeliveryStatusValue;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DeliveryAttemptTable {
  id: Generated<string>;
  notification_id: string;
  channel: ChannelValue;
  outcome: 'SENT' | 'FAILED' | 'DEAD';
  error: string | null;
  attempted_at: Timestamp;
}

export interface PreferenceTable {
  user_id: string;
  email_enabled: Generated<boolean>;
  webhook_url: string | null;
  webhook_secret: string;
  quiet_start: string | null;
  quiet_end: string | null;
  time_zone: Generated<string>;
  updated_at: Timestamp;
}

export interface Database {
  'notification.processed_events': ProcessedEventTable;
  'notification.user_projection': UserProjectionTable;
  'notification.trip_projection': TripProjectionTable;
  'notification.notifications': NotificationTable;
  'notification.deliveries': DeliveryTable;
  'notification.delivery_attempts': DeliveryAttemptTable;
  'notification.preferences': PreferenceTable;
}

export type NotificationRow = Selectable<NotificationTable>;
export type NewNotification = Insertable<NotificationTable>;
export type DeliveryRow = Selectable<DeliveryTable>;
export type PreferenceRow = Selectable<PreferenceTable>;
export type PreferenceUpdate = Updateable<PreferenceTable>;
export type TripProjectionRow = Selectable<TripProjectionTable>;
