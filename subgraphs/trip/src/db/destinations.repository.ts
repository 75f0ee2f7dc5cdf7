import { sql, type Kysely } from 'kysely';
import { reusableQuery } from '@traveloure/platform/db';
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
  if (rows.length === 0) return;
  await db
    .insertInto('trip.destinations')
    .values(rows)
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        country: eb.ref('excluded.country'),
        region: eb.ref('excluded.region'),
        latitude: eb.ref('excluded.latitude'),
        longitude: eb.ref('excluded.longitude'),
        timezone: eb.ref('excluded.timezone'),
      })),
    )
    .execute();
}
