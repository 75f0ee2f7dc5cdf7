import { sql, type Kysely, type Migration } from 'kysely';

/** The transactional outbox for user and trip events (relayed by the notification service). */
export const tripOutboxMigration: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      create table trip.outbox (
        id uuid primary key default gen_random_uuid(),
        aggregate_type text not null,
        aggregate_id text not null,
        event_type text not null,
        payload jsonb not null,
        created_at timestamptz not null default now(),
        published_at timestamptz,
        attempts int not null default 0
      )`.execute(db);
    await sql`create index outbox_unpublished_idx on trip.outbox (created_at) where published_at is null`.execute(
      db,
    );
  },

  async down(db: Kysely<any>) {
    await sql`drop table if exists trip.outbox`.execute(db);
  },
};
