import type { Kysely } from 'kysely';
import type { RegionalDatabases } from '@traveloure/platform';
import { regions } from '@traveloure/platform/identity';
import type { Database, RegionValue } from '../db/database.ts';

/**
 * The region router of the trip subgraph: a user's row, trips, items and outbox events are in
 * their region's database (`of(region)`), every read and write of them goes there, and lookups
 * that do not know the region (an admin's, or by id from another user) ask every database once.
 * Destinations (reference data, seeded into every database) and the user directory are read from
 * the home database (`home`).
 */
export interface TripRegions extends RegionalDatabases<Database, RegionValue> {
  /** DATABASE_URL's database (or the PGlite): destinations and the user directory. */
  home: Kysely<Database>;
}

export const tripRegions: readonly RegionValue[] = regions;

export function tripRegionsOf(regional: RegionalDatabases<any> | undefined, home: Kysely<any>): TripRegions {
  return { ...(regional ?? singleDatabase(home)), home } as TripRegions;
}

/** Every region in one database: the embedded mode, the default, and repository tests. */
export function singleDatabase(db: Kysely<Database>): TripRegions {
  return {
    regions: tripRegions,
    of: () => db,
    databases: [{ db, regions: tripRegions, home: true }],
    single: true,
    home: db,
    close: async () => {},
  };
}

/** Whether two regions' rows are in the same database (a region change then moves nothing). */
export const sameDatabase = (router: TripRegions, a: RegionValue, b: RegionValue) =>
  router.of(a) === router.of(b);
