import { sql, type Kysely, type Migration } from 'kysely';

/** The search log: demand analytics and the input of cache warming. */
export const searchLogMigration: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      create table search.search_log (
        id uuid primary key default gen_random_uuid(),
        kind text not null check (kind in ('FLIGHT', 'HOTEL')),
        destination_code char(3) not null,
        origin_code char(3),
        start_date date not null,
        end_date date,
        adults smallint not null,
        rooms smallint,
        user_id text,
        provider text not null,
        cached boolean not null,
        stale boolean not null,
        result_count int not null,
        created_at timestamptz not null default now()
      )`.execute(db);
    // Demand and warming both read recent rows per destination.
    await sql`create index search_log_created_destination_idx on search.search_log (created_at, destination_code)`.execute(
      db,
    );
  },

  async down(db: Kysely<any>) {
    await sql`drop table if exists search.search_log`.execute(db);
  },
};
