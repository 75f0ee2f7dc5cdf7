import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The user directory: which region's database holds each user (their row, trips and items),
 * read in the home database (DATABASE_URL) when regions have databases of their own. The user id
 * as primary key makes the first assignment atomic: two first requests of one user cannot put
 * them in two regions. Filled from the users already here (before regions, every user was in the
 * home database). Also an index for the admins' list of every trip, newest first.
 * Frozen in time: never import application code here.
 */
export const userDirectoryMigration: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      create table trip.user_directory (
        user_id text primary key,
        region text not null check (region in ('US_EAST', 'EU_WEST', 'AP_SOUTH')),
        created_at timestamptz not null default now()
      )`.execute(db);
    await sql`insert into trip.user_directory (user_id, region) select id, region from trip.users`.execute(
      db,
    );
    await sql`create index trips_created_idx on trip.trips (created_at desc, id desc)`.execute(db);
  },

  async down(db: Kysely<any>) {
    await sql`drop index if exists trip.trips_created_idx`.execute(db);
    await sql`drop table if exists trip.user_directory`.execute(db);
  },
};
