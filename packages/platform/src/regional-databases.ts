import type { Kysely } from 'kysely';
import { checkDatabaseReachable, createDatabase, type DatabaseHandle, type DatabaseOptions } from './db.ts';

/**
 * Where each data region's rows live (data residency): a region may have a PostgreSQL of its own
 * (`DATABASE_URL_<REGION>`); a region without one, or in embedded mode, is in the service's home
 * database (DATABASE_URL, or the PGlite). Regions given the same URL share one pool.
 */
export interface RegionalDatabases<DB, R extends string = string> {
  readonly regions: readonly R[];
  /** The (primary) database holding `region`'s rows: every read and write of them goes here. */
  of(region: R): Kysely<DB>;
  /** Each database once, the home one first, with the regions it holds. */
  readonly databases: readonly { db: Kysely<DB>; regions: readonly R[]; home: boolean }[];
  /** Every region in the home database: one database, so nothing needs fanning out. */
  readonly single: boolean;
  /** Closes the pools opened here (never the home database's). */
  close(): Promise<void>;
}

/** The variable naming a region's own database: `DATABASE_URL_EU_WEST`. */
export const regionalDatabaseVariable = (region: string) => `DATABASE_URL_${region}`;

export async function createRegionalDatabases<DB, R extends string>(options: {
  service: string;
  regions: readonly R[];
  /** The home database: the primary handle and its URL (none in embedded mode). */
  home: { db: Kysely<DB>; url?: string };
  /** Each region's own URL, when it has one. */
  urls: Partial<Record<R, string | undefined>>;
  pool?: Pick<
    DatabaseOptions,
    'poolMax' | 'idleTimeoutMs' | 'connectTimeoutMs' | 'statementTimeoutMs' | 'onQuery'
  >;
}): Promise<RegionalDatabases<DB, R>> {
  const byUrl = new Map<string, { handle: DatabaseHandle<DB>; regions: R[] }>();
  const homeRegions: R[] = [];
  const regionDb = new Map<R, Kysely<DB>>();
  try {
    for (const region of options.regions) {
      const url = options.urls[region];
      // Embedded mode is one PGlite: every region is in it, whatever the variables say.
      if (!options.home.url || !url || url === options.home.url) {
        homeRegions.push(region);
        regionDb.set(region, options.home.db);
        continue;
      }
      let entry = byUrl.get(url);
      if (!entry) {
        const variable = regionalDatabaseVariable(region);
        await checkDatabaseReachable(url, { variable, connectTimeoutMs: options.pool?.connectTimeoutMs });
        entry = {
          handle: createDatabase<DB>({
            ...options.pool,
            service: `${options.service}-${region.toLowerCase()}`,
            url,
          }),
          regions: [],
        };
        byUrl.set(url, entry);
      }
      entry.regions.push(region);
      regionDb.set(region, entry.handle.db);
    }
  } catch (error) {
    await Promise.all([...byUrl.values()].map((entry) => entry.handle.close()));
    throw error;
  }
  const databases = [
    ...(homeRegions.length > 0 ? [{ db: options.home.db, regions: homeRegions, home: true }] : []),
    ...[...byUrl.values()].map((entry) => ({ db: entry.handle.db, regions: entry.regions, home: false })),
  ];
  return {
    regions: options.regions,
    of: (region) => {
      const db = regionDb.get(region);
      if (!db) throw new Error(`no database for region ${region}`);
      return db;
    },
    databases,
    single: byUrl.size === 0,
    close: async () => {
      await Promise.all([...byUrl.values()].map((entry) => entry.handle.close()));
    },
  };
}

/**
 * Runs `work` on every regional database at once and concatenates the answers: one statement
 * per database, whatever the number of keys (a single database: exactly one).
 */
export async function inEveryRegion<DB, T>(
  regional: Pick<RegionalDatabases<DB>, 'databases'>,
  work: (db: Kysely<DB>) => Promise<T[]>,
): Promise<T[]> {
  if (regional.databases.length === 1) return work(regional.databases[0]!.db);
  return (await Promise.all(regional.databases.map((database) => work(database.db)))).flat();
}
