import { sql, type Kysely } from 'kysely';
import type { Database, NewSearchLogRow } from './database.ts';

export async function insertSearchLog(db: Kysely<Database>, row: NewSearchLogRow): Promise<void> {
  await insertSearchLogs(db, [row]);
}

/** Many rows in one statement (the write-behind's batches). */
export async function insertSearchLogs(db: Kysely<Database>, rows: NewSearchLogRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('search.search_log').values(rows).execute();
}

export interface DemandRow {
  destinationCode: string;
  searches: number;
  flightSearches: number;
  hotelSearches: number;
  travelers: number;
  lastSearchedAt: Date;
}

/** The most searched destinations over the last `days` days, most searched first. */
export async function searchDemand(
  db: Kysely<Database>,
  options: { days: number; first: number },
): Promise<DemandRow[]> {
  const rows = await db
    .selectFrom('search.search_log')
    .select([
      sql<string>`trim(destination_code)`.as('destinationCode'),
      sql<string>`count(*)`.as('searches'),
      sql<string>`count(*) filter (where kind = 'FLIGHT')`.as('flightSearches'),
      sql<string>`count(*) filter (where kind = 'HOTEL')`.as('hotelSearches'),
      sql<string>`count(distinct user_id)`.as('travelers'),
      sql<Date>`max(created_at)`.as('lastSearchedAt'),
    ])
    .where('created_at', '>=', sql<Date>`now() - make_interval(days => ${options.days})`)
    .groupBy('destination_code')
    .orderBy('searches', 'desc')
    .orderBy('destination_code')
    .limit(options.first)
    .execute();
  return rows.map((row) => ({
    destinationCode: row.destinationCode,
    searches: Number(row.searches),
    flightSearches: Number(row.flightSearches),
    hotelSearches: Number(row.hotelSearches),
    travelers: Number(row.travelers),
    lastSearchedAt: new Date(row.lastSearchedAt),
  }));
}

export interface PopularHotelSearch {
  cityCode: string;
  checkIn: string;
  checkOut: string;
  adults: number;
  rooms: number;
  searches: number;
}

/**
 * The hotel searches worth warming: the most frequent exact searches (city, dates, guests)
 * of the last `lookbackDays` whose check-in is still ahead, so the warmed keys are the ones
 * travelers actually ask for.
 */
export async function popularHotelSearches(
  db: Kysely<Database>,
  options: { lookbackDays: number; limit: number; today: string },
): Promise<PopularHotelSearch[]> {
  const rows = await db
    .selectFrom('search.search_log')
    .select([
      sql<string>`trim(destination_code)`.as('cityCode'),
      sql<string>`to_char(start_date, 'YYYY-MM-DD')`.as('checkIn'),
      sql<string>`to_char(end_date, 'YYYY-MM-DD')`.as('checkOut'),
      'adults',
      sql<number>`coalesce(rooms, 1)`.as('rooms'),
      sql<string>`count(*)`.as('searches'),
    ])
    .where('kind', '=', 'HOTEL')
    .where('end_date', 'is not', null)
    .where('start_date', '>=', options.today)
    .where('created_at', '>=', sql<Date>`now() - make_interval(days => ${options.lookbackDays})`)
    .groupBy(['destination_code', 'start_date', 'end_date', 'adults', sql`coalesce(rooms, 1)`])
    .orderBy('searches', 'desc')
    .orderBy('destination_code')
    .limit(options.limit)
    .execute();
  return rows.map((row) => ({
    cityCode: row.cityCode,
    checkIn: row.checkIn,
    checkOut: row.checkOut,
    adults: Number(row.adults),
    rooms: Number(row.rooms),
    searches: Number(row.searches),
  }));
}
