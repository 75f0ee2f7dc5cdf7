import { sql, type Kysely } from 'kysely';
import type { Database } from './database.ts';

export interface PopularityRow {
  destination_code: string;
  trip_count: number;
  traveler_count: number;
}

/** Most-planned destinations over the last `days` days, from the materialized view. */
export async function topDestinations(
  db: Kysely<Database>,
  options: { days: number; limit: number },
): Promise<PopularityRow[]> {
  return db
    .selectFrom('trip.destination_popularity_daily')
    .select((eb) => [
      'destination_code',
      eb.cast<number>(eb.fn.sum('trip_count'), 'integer').as('trip_count'),
      eb.cast<number>(eb.fn.sum('traveler_count'), 'integer').as('traveler_count'),
    ])
    .where('day', '>', sql<string>`(now() at time zone 'UTC')::date - ${options.days}::int`)
    .groupBy('destination_code')
    .orderBy('trip_count', 'desc')
    .orderBy('traveler_count', 'desc')
    .orderBy('destination_code')
    .limit(options.limit)
    .execute();
}

/**
 * Refreshes the view unless another instance is already doing it (a transaction-scoped
 * advisory lock: replicas of the service do not pile up refreshes). Returns whether it ran.
 */
export async function refreshPopularity(db: Kysely<Database>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const lock = await sql<{ locked: boolean }>`
      select pg_try_advisory_xact_lock(hashtext('trip.destination_popularity_daily')) as locked`.execute(trx);
    if (!lock.rows[0]?.locked) return false;
    await sql`refresh materialized view concurrently trip.destination_popularity_daily`.execute(trx);
    return true;
  });
}
