import type { Kysely, Selectable } from 'kysely';
import type { Database } from './database.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

type UuidTable = 'ai.suggestions' | 'ai.experts' | 'ai.conversations';

/**
 * Rows of a uuid-keyed table for a DataLoader batch: one statement, results in key order, null
 * for missing ids and for ids that are not uuids (which PostgreSQL would reject).
 */
export async function rowsByIds<T extends UuidTable>(
  db: Kysely<Database>,
  table: T,
  ids: readonly string[],
): Promise<(Selectable<Database[T]> | null)[]> {
  const valid = ids.filter(isUuid);
  const rows = valid.length
    ? ((await db
        .selectFrom(table as UuidTable)
        .selectAll()
        .where('id', 'in', valid)
        .execute()) as { id: string }[])
    : [];
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => (byId.get(id) ?? null) as never);
}
