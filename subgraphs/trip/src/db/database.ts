import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type RegionValue = 'US_EAST' | 'EU_WEST' | 'AP_SOUTH';
export type BudgetValue = 'BUDGET' | 'MIDRANGE' | 'LUXURY';
export type PaceValue = 'RELAXED' | 'MODERATE' | 'PACKED';
export type ItemKindValue = 'ACTIVITY' | 'MEAL' | 'TRANSPORT' | 'LODGING' | 'FLIGHT' | 'NOTE';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/**
 * `date` columns are read back as `YYYY-MM-DD` text (repositories cast them), so no driver
 * turns them into a Date at local midnight.
 */
type DateColumn = ColumnType<string, string, string>;
/** numeric, read back as a decimal string (repositories cast it), never a float. */
type Decimal = ColumnType<string, string, string>;

export interface UsersTable {
  id: string;
  email: string | null;
  name: string;
  region: RegionValue;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface UserDirectoryTable {
  user_id: string;
  region: RegionValue;
  created_at: CreatedAt;
}

export interface DestinationsTable {
  code: string;
  name: string;
  country: string;
  region: RegionValue;
  latitude: number;
  longitude: number;
  timezone: string;
}

export interface TripsTable {
  id: Generated<string>;
  region: RegionValue;
  user_id: string;
  title: string;
  destination_code: string;
  start_date: DateColumn;
  end_date: DateColumn;
  travelers: number;
  budget: BudgetValue;
  pace: PaceValue;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ItineraryItemsTable {
  id: Generated<string>;
  trip_id: string;
  trip_region: RegionValue;
  kind: ItemKindValue;
  title: string;
  start_time: ColumnType<Date, Date | string, Date | string>;
  end_time: ColumnType<Date | null, Date | string | null, Date | string | null>;
  notes: string | null;
  location: string | null;
  cost_amount: Decimal | null;
  cost_currency: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface OutboxTable {
  id: Generated<string>;
  aggregate_type: string;
  aggregate_id: string;
  event_type: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  created_at: CreatedAt;
  published_at: Date | null;
  attempts: Generated<number>;
}

export interface DestinationPopularityDailyView {
  destination_code: string;
  day: DateColumn;
  trip_count: number;
  traveler_count: number;
}

/** The `trip` schema as Kysely sees it. */
export interface Database {
  'trip.users': UsersTable;
  'trip.user_directory': UserDirectoryTable;
  'trip.destinations': DestinationsTable;
  'trip.trips': TripsTable;
  'trip.itinerary_items': ItineraryItemsTable;
  'trip.outbox': OutboxTable;
  'trip.destination_popularity_daily': DestinationPopularityDailyView;
}

export type UserRow = Selectable<UsersTable>;
export type DestinationRow = Selectable<DestinationsTable>;
export type TripRow = Selectable<TripsTable>;
export type NewTrip = Insertable<TripsTable>;
export type TripUpdate = Updateable<TripsTable>;
export type ItemRow = Selectable<ItineraryItemsTable>;
export type NewItem = Insertable<ItineraryItemsTable>;
export type ItemUpdate = Updateable<ItineraryItemsTable>;
