import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { inMemoryDatabase } from './testing/in-memory-database.ts';
import { upsertRows } from './upsert.ts';

interface Database {
  'shop.items': { sku: string; region: string; name: string; price: number; note: string | null };
}

describe('upsertRows', () => {
  const { db, close } = inMemoryDatabase<Database>();
  afterAll(close);

  it('inserts new keys and replaces only the named columns of stored ones, in one statement', async () => {
    await sql`create schema shop`.execute(db);
    await sql`create table shop.items (sku text, region text, name text not null, price int not null, note text,
      primary key (sku, region))`.execute(db);
    const columns = { key: ['sku', 'region'] as const, replace: ['name', 'price'] as const };
    expect(await upsertRows(db, 'shop.items', [], columns)).toBe(0);
    await upsertRows(
      db,
      'shop.items',
      [{ sku: 'a', region: 'EU', name: 'Old', price: 1, note: 'kept' }],
      columns,
    );

    const written = await upsertRows(
      db,
      'shop.items',
      [
        { sku: 'a', region: 'EU', name: 'New', price: 2, note: 'ignored' },
        { sku: 'a', region: 'US', name: 'Other', price: 3, note: null },
      ],
      columns,
    );

    expect(written).toBe(2);
    expect(await db.selectFrom('shop.items').selectAll().orderBy('region').execute()).toEqual([
      { sku: 'a', region: 'EU', name: 'New', price: 2, note: 'kept' },
      { sku: 'a', region: 'US', name: 'Other', price: 3, note: null },
    ]);
  });
});
