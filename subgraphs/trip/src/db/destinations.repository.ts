import { sql, type Kysely } from 'kysely';
import { reusableQuery } from '@traveloure/platform/db';
import { upsertRows } from '@traveloure/platform/upsert';
import type { Database, DestinationRow, RegionValue } from './database.ts';

const destinationsByCodes = reusableQuery((db: Kysely<Database>, codes: readonly string[]) =>
  db
    .selectFrom('trip.destinations')
    .selectAll()
    .where('code', '=', sql<string>`any(${codes})`),
);

/** One statement (compiled once) for any number of codes. */
export async function findDestinationsByCodes(
  db: Kysely<Database>,
  codes: readonly string[],
): Promise<DestinationRow[]> {
  if (codes.length === 0) return [];
  return destinationsByCodes(db, codes);
}

/**
 * Destinations whose code, name or country matches `search` (case-insensitive), exact code
 * matches first, then by name.
 */
export async function searchDestinations(
  db: Kysely<Database>,
  options: { search?: string | null; region?: RegionValue | null; limit: number },
): Promise<DestinationRow[]> {
  let query = db.selectFrom('trip.destinations').selectAll();
  const term = options.search?.trim();
  if (term) {
    const pattern = `%${term.replace(/[\\%_]/g, (match) => `\\${match}`)}%`;
    query = query
      .where((eb) =>
        eb.or([
          eb('code', '=', term.toUpperCase()),
          eb('name', 'ilike', pattern),
          eb('country', 'ilike', pattern),
        ]),
      )
      .orderBy(sql`code = ${term.toUpperCase()}`, 'desc');
  }
  if (options.region) query = query.where('region', '=', options.region);
  return query.orderBy('name').orderBy('code').limit(options.limit).execute();
}

export async function upsertDestinations(db: Kysely<Database>, rows: DestinationRow[]) {
  await upsertRows(db, 'trip.destinations', rows, {
    key: ['code'],
    replace: ['name', 'country', 'region', 'latitude', 'longitude', 'timezone'],
  });
}
