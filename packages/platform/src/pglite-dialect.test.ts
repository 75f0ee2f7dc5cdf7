import { afterAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { PGliteDialect } from './pglite-dialect.ts';

describe('PGliteDialect', () => {
  const pglite = new PGlite();
  // Two Kysely instances on one PGlite, as two subgraphs hosted in one process have.
  const first = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
  const second = new Kysely<any>({ dialect: new PGliteDialect(pglite) });
  afterAll(() => pglite.close());

  it('keeps other statements out of an open transaction', async () => {
    await sql`create table counter (id int primary key, value int)`.execute(first);
    await sql`insert into counter values (1, 0)`.execute(first);
    let releaseTransaction!: () => void;
    const transactionHeld = new Promise<void>((resolve) => (releaseTransaction = resolve));
    const transaction = first.transaction().execute(async (trx) => {
      await sql`update counter set value = 100 where id = 1`.execute(trx);
      await transactionHeld;
      throw new Error('roll back');
    });
    // This read is issued while the transaction is open; it must wait, and then see the
    // rolled-back value, never the uncommitted 100.
    const read = second.selectFrom('counter').select('value').executeTakeFirstOrThrow();
    await new Promise((resolve) => setTimeout(resolve, 20));
    releaseTransaction();
    await expect(transaction).rejects.toThrow('roll back');
    expect((await read).value).toBe(0);
  });

  it('runs concurrent statements from both instances', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        sql<{ n: number }>`select ${index}::int as n`.execute(index % 2 ? first : second),
      ),
    );
    expect(results.map((result) => result.rows[0]!.n)).toEqual(
      Array.from({ length: 20 }, (_, index) => index),
    );
  });

  it('reports affected rows for writes', async () => {
    const result = await first
      .updateTable('counter')
      .set({ value: 5 })
      .where('id', '=', 1)
      .executeTakeFirst();
    expect(result.numUpdatedRows).toBe(1n);
  });
});
