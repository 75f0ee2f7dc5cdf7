import { sql, type Kysely } from 'kysely';
import type { TripChanged } from '@traveloure/platform/events/contracts';
import type { Database, TripProjectionRow } from './database.ts';
import { isUuid } from '@traveloure/platform';

/** A trip as a `trip.created` or `trip.updated` event carries it (the published contract). */
export type TripFacts = TripChanged;

/** Dates as written (YYYY-MM-DD), not as JavaScript Dates at some time zone's midnight. */
const tripColumns = sql`id, owner_user_id, title, destination_code, start_date::text as start_date,
  end_date::text as end_date, travelers, budget, pace, deleted, version, updated_at`;

/**
 * Projected trips by id, in any order, for a DataLoader batch; ids that are not uuids are left
 * out (they never reach the `uuid` column).
 */
export async function tripsByIds(db: Kysely<Database>, ids: readonly string[]): Promise<TripProjectionRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  const { rows } = await sql<TripProjectionRow>`select ${tripColumns} from ai.trip_projection
    where id = any(${valid}::uuid[])`.execute(db);
  return rows;
}

/**
 * Applies a trip event unless a newer one or the deletion was applied already (events may
 * arrive out of order: retries, republished rows). Returns whether it took effect.
 */
export async function applyTrip(db: Kysely<Database>, facts: TripFacts, version: string): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    insert into ai.trip_projection (id, owner_user_id, title, destination_code, start_date, end_date,
      travelers, budget, pace, version)
    values (${facts.tripId}::uuid, ${facts.userId}, ${facts.title}, ${facts.destinationCode},
      ${facts.startDate}::date, ${facts.endDate}::date, ${facts.travelers ?? null}, ${facts.budget ?? null},
      ${facts.pace ?? null}, ${version}::timestamptz)
    on conflict (id) do update set
      owner_user_id = excluded.owner_user_id, title = excluded.title,
      destination_code = excluded.destination_code, start_date = excluded.start_date,
      end_date = excluded.end_date, travelers = excluded.travelers, budget = excluded.budget,
      pace = excluded.pace, version = excluded.version, updated_at = now()
    where not ai.trip_projection.deleted and ai.trip_projection.version <= excluded.version
    returning id`.execute(db);
  return rows.length > 0;
}

/** A deleted trip stays as a tombstone, so a late update cannot bring it back. */
export async function tombstoneTrip(db: Kysely<Database>, tripId: string, userId: string, version: string) {
  await sql`
    insert into ai.trip_projection (id, owner_user_id, deleted, version)
    values (${tripId}::uuid, ${userId}, true, ${version}::timestamptz)
    on conflict (id) do update set deleted = true, version = greatest(ai.trip_projection.version, excluded.version),
      updated_at = now()`.execute(db);
}
