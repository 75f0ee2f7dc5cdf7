import type { Insertable, Kysely } from 'kysely';

/**
 * Writes `rows` into `table`, replacing the stored row where one has the same `key`: each of the
 * `replace` columns takes the written value, the others keep theirs. One statement (keep `rows`
 * well under PostgreSQL's parameter limit); answers how many rows it inserted or updated.
 */
export async function upsertRows<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  rows: readonly Insertable<DB[T]>[],
  columns: { key: readonly (keyof DB[T] & string)[]; replace: readonly (keyof DB[T] & string)[] },
): Promise<number> {
  if (rows.length === 0) return 0;
  // Kysely cannot check a table and its columns given as type parameters; the signature does.
  const result = await (db as unknown as Kysely<any>)
    .insertInto(table as string)
    .values(rows as Insertable<any>[])
    .onConflict((conflict) =>
      conflict
        .columns(columns.key)
        .doUpdateSet((eb) =>
          Object.fromEntries(columns.replace.map((column) => [column, eb.ref(`excluded.${column}`)])),
        ),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}
