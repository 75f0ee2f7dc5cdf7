import type { Kysely, Selectable } from 'kysely';
import { isUuid } from '@traveloure/platform/policies/ids';
import type { Database } from './database.ts';

type UuidTable = 'ai.suggestions' | 'ai.experts' | 'ai.conversations';

/**
 * Rows of a uuid-keyed table with these ids, in one statement, for a DataLoader batch (the
 * loader puts them in key order). Ids that are not uuids are left out: PostgreSQL would reject
 * the whole statement for one of them.
 */
export async function rowsByIds<T extends UuidTable>(
  db: Kysely<Database>,
  table: T,
  ids: readonly string[],
): Promise<Selectable<Database[T]>[]> {
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return (await db
    .selectFrom(table as UuidTable)
    .selectAll()
    .where('id', 'in', valid)
    .execute()) as Selectable<Database[T]>[];
}
