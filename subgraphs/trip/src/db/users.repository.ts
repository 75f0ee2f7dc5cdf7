import { sql, type Kysely } from 'kysely';
import { reusableQuery } from '@traveloure/platform/db';
import type { Database, RegionValue, UserRow } from './database.ts';

export interface UserClaims {
  id: string;
  email?: string | null;
  name?: string | null;
  region?: RegionValue | null;
}

export interface ProvisionResult {
  user: UserRow;
  event: 'user.created' | 'user.updated';
}

/**
 * Creates the user on first sight and refreshes email, name and region when the identity's
 * claims changed. Returns the row and the event only when something was written; an unchanged
 * user costs one statement that writes nothing. Insert/update and its outbox event are one
 * statement (a data-modifying CTE), so they commit together without an explicit transaction on
 * this per-request path. Claims the token lacks keep the stored value.
 */
export async function provisionUser(
  db: Kysely<Database>,
  claims: UserClaims,
  defaults: { region: RegionValue },
  /**
   * Also record the region in the user directory, in the same statement: when every region is in
   * this one database (with regions apart, assignRegion keeps the directory in the home database).
   */
  options: { directory?: boolean } = { directory: true },
): Promise<ProvisionResult | undefined> {
  const fallbackName = claims.name ?? claims.email?.split('@')[0] ?? 'Traveler';
  const result = await sql<UserRow & { inserted: boolean }>`
    with upserted as (
      insert into trip.users as u (id, email, name, region)
      values (${claims.id}, ${claims.email ?? null}, ${fallbackName}, ${claims.region ?? defaults.region})
      on conflict (id) do update set
        email = coalesce(${claims.email ?? null}, u.email),
        name = coalesce(${claims.name ?? null}, u.name),
        region = coalesce(${claims.region ?? null}, u.region),
        updated_at = now()
      where (u.email, u.name, u.region) is distinct from
            (coalesce(${claims.email ?? null}, u.email), coalesce(${claims.name ?? null}, u.name), coalesce(${claims.region ?? null}, u.region))
      returning u.*, (xmax = 0) as inserted
    ), event as (
      insert into trip.outbox (aggregate_type, aggregate_id, event_type, payload)
      select 'user', id, case when inserted then 'user.created' else 'user.updated' end,
             jsonb_build_object('userId', id, 'email', email, 'name', name, 'region', region)
        from upserted
    )${
      options.directory
        ? sql`, directory as (
      insert into trip.user_directory (user_id, region)
      select id, region from upserted
      on conflict (user_id) do update set region = excluded.region
    )`
        : sql``
    }
    select * from upserted`.execute(db);
  const row = result.rows[0];
  if (!row) return undefined;
  const { inserted, ...user } = row;
  return { user, event: inserted ? 'user.created' : 'user.updated' };
}

const usersByIds = reusableQuery((db: Kysely<Database>, ids: readonly string[]) =>
  db
    .selectFrom('trip.users')
    .selectAll()
    .where('id', '=', sql<string>`any(${ids})`),
);

/** One statement (compiled once) for any number of ids. */
export async function findUsersByIds(db: Kysely<Database>, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return usersByIds(db, ids);
}

/**
 * The region whose database holds the user: the one recorded in the directory, or `wanted` when
 * the user is new (recorded now). One statement; concurrent first requests agree on one region.
 */
export async function assignRegion(
  db: Kysely<Database>,
  userId: string,
  wanted: RegionValue,
): Promise<RegionValue> {
  // `do update` (to itself) rather than `do nothing`, so the existing row is returned too.
  const result = await sql<{ region: RegionValue }>`
    insert into trip.user_directory as d (user_id, region) values (${userId}, ${wanted})
    on conflict (user_id) do update set region = d.region
    returning d.region`.execute(db);
  return result.rows[0]!.region;
}

/** Records a region change that moves no data (both regions are in the same database). */
export async function recordRegion(db: Kysely<Database>, userId: string, region: RegionValue) {
  await db.updateTable('trip.user_directory').set({ region }).where('user_id', '=', userId).execute();
}
