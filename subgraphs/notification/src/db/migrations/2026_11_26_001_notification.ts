import { sql, type Kysely, type Migration } from 'kysely';

// Frozen: never import app code here.
export const notificationInitial: Migration = {
  async up(db: Kysely<any>) {
    await sql`create table notification.processed_event (
        event_id uuid primary key,
        source text not null,
        event_type text not null,
        processed_at timestamptz not null default now()
      )`.execute(db);
    await sql`create table notification.traveler (
        user_id text primary key,
        email text,
        name text,
        region text,
        version timestamptz not null,
        updated_at timestamptz not null default now()
      )`.execute(db);
    await sql`create table notification.trip (
        trip_id text primary key,
        user_id text not null,
        title text not null default '',
        destination_code text not null default '',
        start_date date,
        end_date date,
        region text,
        deleted boolean not null default false,
        version timestamptz not null,
        updated_at timestamptz not null default now()
      )`.execute(db);
    await sql`create index trip_destination_dates on notification.trip (destination_code, start_date, end_date) where not deleted`.execute(
      db,
    );
    await sql`create table notification.notification (
        id uuid primary key default gen_random_uuid(),
        user_id text not null,
        kind text not null,
        severity text not null,
        title text not null,
        body text not null,
        dedupe_key text not null,
        data jsonb not null default '{}'::jsonb,
        -- Millisecond precision so a keyset cursor (a JavaScript Date) points at exactly one row.
        created_at timestamptz not null default date_trunc('milliseconds', now()),
        read_at timestamptz,
        constraint notification_once unique (user_id, kind, dedupe_key)
      )`.execute(db);
    await sql`create index notification_inbox on notification.notification (user_id, created_at desc, id desc)`.execute(
      db,
    );
    await sql`create index notification_unread on notification.notification (user_id, created_at desc, id desc) where read_at is null`.execute(
      db,
    );
    await sql`create table notification.delivery (
        notification_id uuid not null references notification.notification (id) on delete cascade,
        channel text not null,
        status text not null,
        attempts int not null default 0,
        last_error text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (notification_id, channel)
      )`.execute(db);
    await sql`create table notification.delivery_attempt (
        id bigserial primary key,
        notification_id uuid not null,
        channel text not null,
        outcome text not null,
        error text,
        attempted_at timestamptz not null default now()
      )`.execute(db);
    await sql`create index delivery_attempt_day on notification.delivery_attempt (attempted_at)`.execute(db);
    await sql`create table notification.preference (
        user_id text primary key,
        email_enabled boolean not null default true,
        webhook_url text,
        webhook_secret text not null,
        quiet_start text,
        quiet_end text,
        time_zone text not null default 'UTC',
        updated_at timestamptz not null default now()
      )`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`drop table if exists notification.preference`.execute(db);
    await sql`drop table if exists notification.delivery_attempt`.execute(db);
    await sql`drop table if exists notification.delivery`.execute(db);
    await sql`drop table if exists notification.notification`.execute(db);
    await sql`drop table if exists notification.trip`.execute(db);
    await sql`drop table if exists notification.traveler`.execute(db);
    await sql`drop table if exists notification.processed_event`.execute(db);
  },
};
