import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Users, destinations, trips (LIST-partitioned by the owner's region) and itinerary items.
 * Frozen in time: never import application code here.
 *
 * The partition key must be part of every unique constraint on a partitioned table, so the
 * trips primary key is (id, region). With `id` leading, each partition's primary-key index
 * serves `where id = ...` on its own, and a lookup by id alone is one index probe per partition
 * (three), with no side table to keep consistent.
 */
export const tripCoreMigration: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      create table trip.users (
        id text primary key,
        email text,
        name text not null,
        region text not null check (region in ('US_EAST', 'EU_WEST', 'AP_SOUTH')),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`.execute(db);

    await sql`
      create table trip.destinations (
        code text primary key check (code ~ '^[A-Z]{3}$'),
        name text not null,
        country text not null,
        region text not null check (region in ('US_EAST', 'EU_WEST', 'AP_SOUTH')),
        latitude double precision not null check (latitude between -90 and 90),
        longitude double precision not null check (longitude between -180 and 180),
        timezone text not null
      )`.execute(db);
    await sql`create index destinations_name_idx on trip.destinations (lower(name))`.execute(db);

    await sql`
      create table trip.trips (
        id uuid not null default gen_random_uuid(),
        region text not null check (region in ('US_EAST', 'EU_WEST', 'AP_SOUTH')),
        user_id text not null references trip.users (id),
        title text not null check (char_length(title) between 1 and 120),
        destination_code text not null references trip.destinations (code),
        start_date date not null,
        end_date date not null,
        travelers integer not null check (travelers between 1 and 20),
        budget text not null check (budget in ('BUDGET', 'MIDRANGE', 'LUXURY')),
        pace text not null check (pace in ('RELAXED', 'MODERATE', 'PACKED')),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (id, region),
        check (end_date >= start_date and end_date - start_date < 90)
      ) partition by list (region)`.execute(db);
    await sql`create table trip.trips_us_east partition of trip.trips for values in ('US_EAST')`.execute(db);
    await sql`create table trip.trips_eu_west partition of trip.trips for values in ('EU_WEST')`.execute(db);
    await sql`create table trip.trips_ap_south partition of trip.trips for values in ('AP_SOUTH')`.execute(
      db,
    );
    await sql`create index trips_user_created_idx on trip.trips (user_id, created_at desc, id desc)`.execute(
      db,
    );
    // Analytics and emergency alerts look trips up by destination and date.
    await sql`create index trips_destination_dates_idx on trip.trips (destination_code, start_date)`.execute(
      db,
    );

    await sql`
      create table trip.itinerary_items (
        id uuid primary key default gen_random_uuid(),
        trip_id uuid not null,
        trip_region text not null,
        kind text not null check (kind in ('ACTIVITY', 'MEAL', 'TRANSPORT', 'LODGING', 'FLIGHT', 'NOTE')),
        title text not null check (char_length(title) between 1 and 200),
        start_time timestamptz not null,
        end_time timestamptz,
        notes text,
        location text,
        cost_amount numeric(14, 2),
        cost_currency text check (cost_currency ~ '^[A-Z]{3}$'),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        foreign key (trip_id, trip_region) references trip.trips (id, region) on delete cascade,
        check (end_time is null or end_time >= start_time),
        check ((cost_amount is null) = (cost_currency is null))
      )`.execute(db);
    await sql`create index itinerary_items_trip_start_idx on trip.itinerary_items (trip_id, start_time)`.execute(
      db,
    );
  },

  async down(db: Kysely<any>) {
    await sql`drop table if exists trip.itinerary_items`.execute(db);
    await sql`drop table if exists trip.trips`.execute(db);
    await sql`drop table if exists trip.destinations`.execute(db);
    await sql`drop table if exists trip.users`.execute(db);
  },
};
