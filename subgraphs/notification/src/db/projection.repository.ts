import { sql, type Kysely } from 'kysely';
import type { TripChanged, UserChanged } from '@traveloure/platform/events/contracts';
import type { Database } from './database.ts';

/** A user as a `user.created` or `user.updated` event carries it (the published contract). */
export type TravelerFacts = UserChanged;

/** Applies a user event unless a newer one was applied already. */
export async function upsertTraveler(db: Kysely<Database>, facts: TravelerFacts, version: string) {
  await db
    .insertInto('notification.user_projection')
    .values({
      user_id: facts.userId,
      email: facts.email ?? null,
      name: facts.name ?? null,
      region: facts.region ?? null,
      version,
    })
    .onConflict((conflict) =>
      conflict
        .column('user_id')
        .doUpdateSet((eb) => ({
          email: eb.ref('excluded.email'),
          name: eb.ref('excluded.name'),
          region: eb.ref('excluded.region'),
          version: eb.ref('excluded.version'),
          updated_at: sql<Date>`now()`,
        }))
        .where('notification.user_projection.version', '<=', (eb) => eb.ref('excluded.version')),
    )
    .execute();
}

/** A trip as a `trip.created` or `trip.updated` event carries it (the published contract). */
export type TripFacts = TripChanged;

export interface TripSnapshot {
  trip_id: string;
  user_id: string;
  title: string;
  destination_code: string;
  start_date: string | null;
  end_date: string | null;
  deleted: boolean;
  version: Date;
}

const tripColumns = sql`trip_id, user_id, title, destination_code, start_date::text as start_date,
  end_date::text as end_date, deleted, version`;

export async function findTrip(
  db: Kysely<Database>,
  tripId: string,
  lock = false,
): Promise<TripSnapshot | undefined> {
  const { rows } = await sql<TripSnapshot>`select ${tripColumns} from notification.trip_projection
    where trip_id = ${tripId} ${lock ? sql`for update` : sql``}`.execute(db);
  return rows[0];
}

/**
 * Applies a trip event unless a newer one (or the deletion) was applied already.
 * Returns the state before and whether this event took effect.
 */
export async function applyTrip(
  db: Kysely<Database>,
  facts: TripFacts,
  version: string,
): Promise<{ previous?: TripSnapshot; applied: boolean }> {
  const previous = await findTrip(db, facts.tripId, true);
  if (previous && (previous.deleted || previous.version.getTime() > new Date(version).getTime())) {
    return { previous, applied: false };
  }
  await db
    .insertInto('notification.trip_projection')
    .values({
      trip_id: facts.tripId,
      user_id: facts.userId,
      title: facts.title,
      destination_code: facts.destinationCode,
      start_date: facts.startDate,
      end_date: facts.endDate,
      region: facts.region ?? null,
      version,
    })
    .onConflict((conflict) =>
      conflict.column('trip_id').doUpdateSet((eb) => ({
        user_id: eb.ref('excluded.user_id'),
        title: eb.ref('excluded.title'),
        destination_code: eb.ref('excluded.destination_code'),
        start_date: eb.ref('excluded.start_date'),
        end_date: eb.ref('excluded.end_date'),
        region: eb.ref('excluded.region'),
        version: eb.ref('excluded.version'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
  return { previous, applied: true };
}

/** A deleted trip stays as a tombstone so a late update cannot bring it back. */
export async function tombstoneTrip(db: Kysely<Database>, tripId: string, userId: string, version: string) {
  await db
    .insertInto('notification.trip_projection')
    .values({ trip_id: tripId, user_id: userId, title: '', destination_code: '', deleted: true, version })
    .onConflict((conflict) =>
      conflict.column('trip_id').doUpdateSet({ deleted: true, version, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

/** Trips not deleted that start after `day`, a keyset page (trip ids after `afterTripId`). */
export async function upcomingTrips(
  db: Kysely<Database>,
  day: string,
  afterTripId: string,
  limit: number,
): Promise<{ trip_id: string; user_id: string; start_date: string; version: Date }[]> {
  const { rows } = await sql<{ trip_id: string; user_id: string; start_date: string; version: Date }>`
    select trip_id, user_id, start_date::text as start_date, version from notification.trip_projection
    where not deleted and start_date > ${day}::date and trip_id > ${afterTripId}
    order by trip_id
    limit ${limit}`.execute(db);
  return rows;
}

/** How many travelers have a trip to `destinationCode` under way on `today` or starting by `horizon`. */
export async function countTravelersAt(
  db: Kysely<Database>,
  destinationCode: string,
  today: string,
  horizon: string,
): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(distinct user_id)::int as n from notification.trip_projection
    where not deleted and destination_code = ${destinationCode}
      and start_date <= ${horizon}::date and end_date >= ${today}::date`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * Travelers whose trip to `destinationCode` is under way on `today` or starts by `horizon`,
 * one keyset page (user ids after `afterUserId`).
 */
export async function travelersAt(
  db: Kysely<Database>,
  destinationCode: string,
  today: string,
  horizon: string,
  afterUserId: string,
  limit: number,
): Promise<string[]> {
  const { rows } = await sql<{ user_id: string }>`
    select distinct user_id from notification.trip_projection
    where not deleted and destination_code = ${destinationCode}
      and start_date <= ${horizon}::date and end_date >= ${today}::date
      and user_id > ${afterUserId}
    order by user_id
    limit ${limit}`.execute(db);
  return rows.map((row) => row.user_id);
}
