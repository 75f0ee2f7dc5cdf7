import { sql, type Kysely } from 'kysely';
import { reusableQuery } from '@traveloure/platform/db';
import { isUuid } from '@traveloure/platform/policies/ids';
import type { Database, ItemRow, ItemUpdate, NewItem } from './database.ts';

/** Every item column, with money as a decimal string. */
const itemColumns = [
  'id',
  'trip_id',
  'trip_region',
  'kind',
  'title',
  'start_time',
  'end_time',
  'notes',
  'location',
  sql<string | null>`cost_amount::text`.as('cost_amount'),
  'cost_currency',
  'created_at',
  'updated_at',
] as const;

const itemsOfTrips = reusableQuery((db: Kysely<Database>, tripIds: readonly string[]) =>
  db
    .selectFrom('trip.itinerary_items')
    .select(itemColumns)
    .where('trip_id', '=', sql<string>`any(${tripIds})`)
    .orderBy('trip_id')
    .orderBy('start_time')
    .orderBy('id'),
);

/** Items of many trips in one statement (compiled once), each trip's items in time order. */
export async function findItemsByTripIds(
  db: Kysely<Database>,
  tripIds: readonly string[],
): Promise<ItemRow[]> {
  const valid = tripIds.filter(isUuid);
  if (valid.length === 0) return [];
  return itemsOfTrips(db, valid);
}

export async function findItemsByIds(db: Kysely<Database>, ids: readonly string[]): Promise<ItemRow[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return db.selectFrom('trip.itinerary_items').select(itemColumns).where('id', 'in', valid).execute();
}

export async function insertItem(db: Kysely<Database>, item: NewItem): Promise<ItemRow> {
  return db.insertInto('trip.itinerary_items').values(item).returning(itemColumns).executeTakeFirstOrThrow();
}

export async function updateItem(
  db: Kysely<Database>,
  id: string,
  patch: ItemUpdate,
): Promise<ItemRow | undefined> {
  return db
    .updateTable('trip.itinerary_items')
    .set({ ...patch, updated_at: sql<Date>`now()` as unknown as Date })
    .where('id', '=', id)
    .returning(itemColumns)
    .executeTakeFirst();
}

export async function deleteItem(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('trip.itinerary_items').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** How many of a trip's items fall outside [from, to): a trip's dates cannot shrink past them. */
export async function countItemsOutside(
  db: Kysely<Database>,
  tripId: string,
  window: { from: Date; to: Date },
): Promise<number> {
  const row = await db
    .selectFrom('trip.itinerary_items')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('trip_id', '=', tripId)
    .where((eb) =>
      eb.or([
        eb('start_time', '<', window.from),
        eb('start_time', '>=', window.to),
        eb('end_time', '>', window.to),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
