import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Daily trip counts per destination, refreshed in the background. Kept per day so one view
 * answers any `days` window; the unique index lets it refresh concurrently (readers never block).
 */
export const destinationPopularityMigration: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      create materialized view trip.destination_popularity_daily as
      select destination_code,
             (created_at at time zone 'UTC')::date as day,
             count(*)::int as trip_count,
             sum(travelers)::int as traveler_count
        from trip.trips
       group by destination_code, (created_at at time zone 'UTC')::date
      with data`.execute(db);
    await sql`create unique index destination_popularity_daily_key on trip.destination_popularity_daily (destination_code, day)`.execute(
      db,
    );
    await sql`create index destination_popularity_daily_day on trip.destination_popularity_daily (day)`.execute(
      db,
    );
  },

  async down(db: Kysely<any>) {
    await sql`drop materialized view if exists trip.destination_popularity_daily`.execute(db);
  },
};
