import { sql, type Kysely, type Migration } from 'kysely';

/** Partner API keys: only a sha-256 of each key is stored; the key itself is shown once. */
export const apiKeys: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .withSchema('gateway')
      .createTable('api_keys')
      .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn('prefix', 'text', (col) => col.notNull())
      .addColumn('key_hash', 'text', (col) => col.notNull().unique())
      .addColumn('owner', 'text', (col) => col.notNull())
      .addColumn('description', 'text')
      .addColumn('scopes', sql`text[]`, (col) => col.notNull())
      .addColumn('rate_limit', 'integer', (col) => col.notNull().check(sql`rate_limit > 0`))
      .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
      .addColumn('last_used_at', 'timestamptz')
      .addColumn('revoked_at', 'timestamptz')
      .execute();
    await db.schema
      .withSchema('gateway')
      .createIndex('api_keys_owner_idx')
      .on('api_keys')
      .column('owner')
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.withSchema('gateway').dropTable('api_keys').execute();
  },
};
