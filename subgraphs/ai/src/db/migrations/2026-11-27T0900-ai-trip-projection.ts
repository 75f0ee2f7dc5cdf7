import { sql, type Kysely, type Migration } from 'kysely';

// Frozen in time: never import application code here. Tables live in the `ai` schema.
/**
 * The ai subgraph's own copy of trips, built only from the trip subgraph's events: who owns a
 * trip (a conversation may only name the caller's own) and what it is (the assistant's context).
 */
export const aiTripProjection: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      create table ai.processed_event (
        event_id uuid primary key,
        source text not null,
        event_type text not null,
        processed_at timestamptz not null default now()
      )`.execute(db);
    await sql`
      create table ai.trip_projection (
        id uuid primary key,
        owner_user_id text not null,
        title text not null default '',
        destination_code text not null default '',
        start_date date,
        end_date date,
        travelers int,
        budget text,
        pace text,
        deleted boolean not null default false,
        version timestamptz not null,
        updated_at timestamptz not null default now()
      )`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`drop table if exists ai.trip_projection`.execute(db);
    await sql`drop table if exists ai.processed_event`.execute(db);
  },
};
