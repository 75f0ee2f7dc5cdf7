import { afterAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { createOutboxTable } from './outbox.ts';
import { inMemoryDatabase } from './testing/in-memory-database.ts';

/** Columns, constraints and indexes of `schema`.outbox, as the catalog describes them. */
async function outboxCatalog(db: Kysely<any>, schema: string) {
  const columns = await sql`
    select column_name, data_type, is_nullable, column_default from information_schema.columns
    where table_schema = ${schema} and table_name = 'outbox' order by ordinal_position`.execute(db);
  const constraints = await sql`
    select conname, pg_get_constraintdef(oid) as definition from pg_constraint
    where conrelid = ${`${schema}.outbox`}::regclass order by conname`.execute(db);
  const indexes = await sql<{ indexname: string; indexdef: string }>`
    select indexname, indexdef from pg_indexes
    where schemaname = ${schema} and tablename = 'outbox' order by indexname`.execute(db);
  return {
    columns: columns.rows,
    constraints: constraints.rows,
    indexes: indexes.rows.map((index) => ({ ...index, indexdef: index.indexdef.replace(`${schema}.`, '') })),
  };
}

describe('createOutboxTable', () => {
  const { db, close } = inMemoryDatabase<any>();
  afterAll(close);

  it('creates the table the migrations wrote out before, to the letter of the catalog', async () => {
    await sql`create schema written`.execute(db);
    // The statements the ai and trip migrations ran before they called createOutboxTable.
    await sql`create table written.outbox (id uuid primary key default gen_random_uuid(),
      aggregate_type text not null, aggregate_id text not null, event_type text not null, payload jsonb not null,
      created_at timestamptz not null default now(), published_at timestamptz, attempts int not null default 0)`.execute(
      db,
    );
    await sql`create index outbox_unpublished_idx on written.outbox (created_at) where published_at is null`.execute(
      db,
    );
    await sql`create schema helped`.execute(db);
    await createOutboxTable(db, 'helped');

    const written = await outboxCatalog(db, 'written');
    expect(written.indexes.map((index) => index.indexname)).toEqual([
      'outbox_pkey',
      'outbox_unpublished_idx',
    ]);
    expect(await outboxCatalog(db, 'helped')).toEqual(written);
  });
});
