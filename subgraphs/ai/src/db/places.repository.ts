import type { Kysely } from 'kysely';
import { upsertRows } from '@traveloure/platform/upsert';
import type { Database, NewPlace, PlaceRow } from './database.ts';
import type { PlannerPlace } from '../planner/types.ts';

/** Inserts or updates places by (destination, name); returns how many rows were written. */
export async function upsertPlaces(db: Kysely<Database>, places: NewPlace[]): Promise<number> {
  let written = 0;
  // Chunks keep each statement well under PostgreSQL's parameter limit.
  for (let start = 0; start < places.length; start += 200) {
    written += await upsertRows(db, 'ai.places', places.slice(start, start + 200), {
      key: ['destination_code', 'name'],
      replace: [
        'category',
        'latitude',
        'longitude',
        'duration_minutes',
        'opens_minute',
        'closes_minute',
        'closed_days',
        'cost_level',
        'interests',
        'description',
        'rank',
      ],
    });
  }
  return written;
}

export async function placesForDestination(
  db: Kysely<Database>,
  destinationCode: string,
): Promise<PlaceRow[]> {
  return db
    .selectFrom('ai.places')
    .selectAll()
    .where('destination_code', '=', destinationCode)
    .orderBy('rank')
    .orderBy('id')
    .execute();
}

export function toPlannerPlace(row: PlaceRow): PlannerPlace {
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    latitude: row.latitude,
    longitude: row.longitude,
    durationMinutes: row.duration_minutes,
    opensMinute: row.opens_minute,
    closesMinute: row.closes_minute,
    closedDays: row.closed_days,
    costLevel: row.cost_level,
    interests: row.interests,
    description: row.description,
    rank: row.rank,
  };
}
