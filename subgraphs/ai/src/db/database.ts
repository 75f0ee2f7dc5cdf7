import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Tables of the `ai` schema. */
export interface PlacesTable {
  id: Generated<string>;
  destination_code: string;
  name: string;
  category: string;
  latitude: number;
  longitude: number;
  duration_minutes: number;
  /** Minutes after local midnight. */
  opens_minute: number;
  closes_minute: number;
  /** 0 = Sunday ... 6 = Saturday. */
  closed_days: number[];
  /** 0 (free) to 4 (very expensive). */
  cost_level: number;
  interests: string[];
  description: string | null;
  /** Lower is more prominent; breaks ties between equally good places. */
  rank: number;
}

export interface SuggestionsTable {
  id: Generated<string>;
  cache_key: string;
  /** `user:<id>` or `key:<id>`: who asked; only they read it again. */
  owner: string;
  trip_id: string | null;
  destination_code: string;
  start_date: ColumnType<string, string, string>;
  end_date: ColumnType<string, string, string>;
  travelers: number;
  budget: string;
  pace: string;
  interests: string[];
  source: 'LLM' | 'PLANNER';
  model: string | null;
  days: ColumnType<unknown, string, string>;
  generated_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface ExpertsTable {
  id: string;
  /** The EXPERT account that answers as this expert. */
  user_id: string | null;
  name: string;
  bio: string;
  languages: string[];
  specialties: string[];
  destinations: string[];
  rating: number;
}

export interface ConversationsTable {
  id: Generated<string>;
  expert_id: string;
  traveler_user_id: string;
  traveler_name: string | null;
  trip_id: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  last_message_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface MessagesTable {
  id: Generated<string>;
  conversation_id: string;
  author_kind: 'TRAVELER' | 'EXPERT' | 'ASSISTANT';
  author_user_id: string | null;
  author_name: string;
  body: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** A trip as the trip subgraph's events describe it; a deleted one stays as a tombstone. */
export interface TripProjectionTable {
  id: string;
  owner_user_id: string;
  title: string;
  destination_code: string;
  start_date: string | null;
  end_date: string | null;
  travelers: number | null;
  budget: string | null;
  pace: string | null;
  deleted: boolean;
  /** When the applied event happened: an older event never overwrites a newer one. */
  version: ColumnType<Date, Date | string, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Keys are schema-qualified: every service shares one database, each in its own schema. */
export interface Database {
  'ai.places': PlacesTable;
  'ai.suggestions': SuggestionsTable;
  'ai.experts': ExpertsTable;
  'ai.conversations': ConversationsTable;
  'ai.messages': MessagesTable;
  'ai.trip_projection': TripProjectionTable;
}

export type PlaceRow = Selectable<PlacesTable>;
export type NewPlace = Insertable<PlacesTable>;
export type SuggestionRow = Selectable<SuggestionsTable>;
export type ExpertRow = Selectable<ExpertsTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type TripProjectionRow = Selectable<TripProjectionTable>;
