import { sql, type Kysely } from 'kysely';
import { reusableQuery } from '@traveloure/platform/db';
import { isUuid } from '@traveloure/platform/policies/ids';
import type { Database, NewTrip, RegionValue, TripRow, TripUpdate } from './database.ts';

/** Every trip column, with dates as `YYYY-MM-DD` text. Unqualified: one table in scope. */
const tripColumns = [
  'id',
  'region',
  'user_id',
  'title',
  'destination_code',
  sql<string>`start_date::text`.as('start_date'),
  sql<string>`end_date::text`.as('end_date'),
  'travelers',
  'budget',
  'pace',
  'created_at',
  'updated_at',
] as const;

/** Who may see which trips: the owner, or everyone's when `admin`. */
export interface TripScope {
  userId: string;
  admin: boolean;
}

// The hot reads, compiled once (see reusableQuery): ids travel as one array parameter.
const tripsByIds = reusableQuery((db: Kysely<Database>, ids: readonly string[]) =>
  db
    .selectFrom('trip.trips')
    .select(tripColumns)
    .where('id', '=', sql<string>`any(${ids})`),
);
const ownTripsByIds = reusableQuery((db: Kysely<Database>, ids: readonly string[], userId: string) =>
  db
    .selectFrom('trip.trips')
    .select(tripColumns)
    .where('id', '=', sql<string>`any(${ids})`)
    .where('user_id', '=', userId),
);

/** Trips by id that `scope` may see, in one statement (one index probe per partition per id). */
export async function findTripsByIds(
  db: Kysely<Database>,
  ids: readonly string[],
  scope: TripScope,
): Promise<TripRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return scope.admin ? tripsByIds(db, valid) : ownTripsByIds(db, valid, scope.userId);
}

export type TripPageRow = TripRow & { cursor_at: string };

const pageColumns = [...tripColumns, sql<string>`created_at::text`.as('cursor_at')] as const;
const firstTripPage = reusableQuery((db: Kysely<Database>, userId: string, limit: number) =>
  db
    .selectFrom('trip.trips')
    .select(pageColumns)
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit),
);
const nextTripPage = reusableQuery(
  (db: Kysely<Database>, userId: string, limit: number, createdAt: string, id: string) =>
    db
      .selectFrom('trip.trips')
      .select(pageColumns)
      .where('user_id', '=', userId)
      .where(sql<boolean>`(created_at, id) < (${createdAt}::timestamptz, ${id}::uuid)`)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit),
);

/**
 * One page of a user's trips, newest first, keyset-paginated on (created_at, id). The cursor
 * keeps created_at as PostgreSQL text so no precision is lost to a JavaScript Date.
 */
export async function listTripsForUser(
  db: Kysely<Database>,
  userId: string,
  options: { limit: number; after?: { createdAt: string; id: string } },
): Promise<TripPageRow[]> {
  return options.after
    ? nextTripPage(db, userId, options.limit, options.after.createdAt, options.after.id)
    : firstTripPage(db, userId, options.limit);
}

/**
 * One page of every user's trips in this database, newest first, after `after`. `sort_key` is
 * created_at in UTC at fixed width, so pages from several databases merge by comparing text.
 */
export async function listAllTripsPage(
  db: Kysely<Database>,
  options: { limit: number; after?: { createdAt: string; id: string } },
): Promise<(TripPageRow & { sort_key: string })[]> {
  let query = db
    .selectFrom('trip.trips')
    .select([
      ...pageColumns,
      sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`.as('sort_key'),
    ])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit);
  if (options.after) {
    query = query.where(
      sql<boolean>`(created_at, id) < (${options.after.createdAt}::timestamptz, ${options.after.id}::uuid)`,
    );
  }
  return query.execute();
}

export async function countAllTrips(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('trip.trips')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function countTripsForUser(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('trip.trips')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertTrip(db: Kysely<Database>, trip: NewTrip): Promise<TripRow> {
  return db.insertInto('trip.trips').values(trip).returning(tripColumns).executeTakeFirstOrThrow();
}

/** The region is the partition: updates address it so PostgreSQL touches one partition. */
export async function updateTrip(
  db: Kysely<Database>,
  key: { id: string; region: RegionValue },
  patch: TripUpdate,
): Promise<TripRow | undefined> {
  return db
    .updateTable('trip.trips')
    .set({ ...patch, updated_at: sql<Date>`now()` as unknown as Date })
    .where('id', '=', key.id)
    .where('region', '=', key.region)
    .returning(tripColumns)
    .executeTakeFirst();
}

/**
 * Bumps updated_at and returns the trip as it is now. Inside a transaction this also holds the
 * trip's row lock, so itinerary changes and date changes of one trip never interleave.
 */
export async function touchTrip(db: Kysely<Database>, key: { id: string; region: RegionValue }) {
  return updateTrip(db, key, {});
}

export async function deleteTrip(db: Kysely<Database>, key: { id: string; region: RegionValue }) {
  const result = await db
    .deleteFrom('trip.trips')
    .where('id', '=', key.id)
    .where('region', '=', key.region)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
