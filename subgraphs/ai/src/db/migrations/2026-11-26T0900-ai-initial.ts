import { sql, type Kysely, type Migration } from 'kysely';
import { createOutboxTable } from '@traveloure/platform/outbox';

// Frozen in time: never import application code here (createOutboxTable is frozen too). Tables
// live in the `ai` schema.
export const aiInitial: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      create table ai.places (
        id uuid primary key default gen_random_uuid(),
        destination_code text not null,
        name text not null,
        category text not null,
        latitude double precision not null check (latitude between -90 and 90),
        longitude double precision not null check (longitude between -180 and 180),
        duration_minutes int not null check (duration_minutes between 15 and 600),
        opens_minute int not null check (opens_minute between 0 and 1440),
        closes_minute int not null check (closes_minute between 0 and 1440),
        closed_days int[] not null default '{}',
        cost_level int not null check (cost_level between 0 and 4),
        interests text[] not null default '{}',
        description text,
        rank int not null default 1000,
        unique (destination_code, name)
      )`.execute(db);
    await sql`create index places_destination_idx on ai.places (destination_code, rank)`.execute(db);

    await sql`
      create table ai.suggestions (
        id uuid primary key default gen_random_uuid(),
        cache_key text not null,
        owner text not null,
        trip_id text,
        destination_code text not null,
        start_date date not null,
        end_date date not null,
        travelers int not null,
        budget text not null,
        pace text not null,
        interests text[] not null default '{}',
        source text not null check (source in ('LLM', 'PLANNER')),
        model text,
        days jsonb not null,
        generated_at timestamptz not null default now()
      )`.execute(db);
    await sql`create index suggestions_cache_key_idx on ai.suggestions (cache_key, generated_at desc)`.execute(
      db,
    );
    await sql`create index suggestions_trip_idx on ai.suggestions (trip_id, generated_at desc) where trip_id is not null`.execute(
      db,
    );

    await sql`
      create table ai.experts (
        id uuid primary key,
        user_id text unique,
        name text not null,
        bio text not null,
        languages text[] not null default '{}',
        specialties text[] not null default '{}',
        destinations text[] not null default '{}',
        rating double precision not null default 0 check (rating between 0 and 5)
      )`.execute(db);
    await sql`create index experts_destinations_idx on ai.experts using gin (destinations)`.execute(db);

    await sql`
      create table ai.conversations (
        id uuid primary key default gen_random_uuid(),
        expert_id uuid not null references ai.experts (id),
        traveler_user_id text not null,
        traveler_name text,
        trip_id text,
        created_at timestamptz not null default now(),
        last_message_at timestamptz not null default now()
      )`.execute(db);
    await sql`create index conversations_traveler_idx on ai.conversations (traveler_user_id, last_message_at desc, id desc)`.execute(
      db,
    );
    await sql`create index conversations_expert_idx on ai.conversations (expert_id, last_message_at desc, id desc)`.execute(
      db,
    );

    await sql`
      create table ai.messages (
        id uuid primary key default gen_random_uuid(),
        conversation_id uuid not null references ai.conversations (id) on delete cascade,
        author_kind text not null check (author_kind in ('TRAVELER', 'EXPERT', 'ASSISTANT')),
        author_user_id text,
        author_name text not null,
        body text not null check (char_length(body) between 1 and 4000),
        created_at timestamptz not null default clock_timestamp()
      )`.execute(db);
    await sql`create index messages_conversation_idx on ai.messages (conversation_id, created_at, id)`.execute(
      db,
    );

    await createOutboxTable(db, 'ai');
  },
  async down(db: Kysely<any>) {
    for (const table of ['outbox', 'messages', 'conversations', 'experts', 'suggestions', 'places']) {
      await sql`drop table if exists ${sql.table(`ai.${table}`)}`.execute(db);
    }
  },
};
