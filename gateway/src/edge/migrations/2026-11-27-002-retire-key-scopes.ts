import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The `trips` and `notifications` scopes opened only fields that act for a signed-in person, so
 * no key could use them (see retiredScopes in scopes.ts). Stored keys lose them, so that what
 * `npm run apikey -- list` shows is what a key can do. Nothing to restore on the way down: the
 * scopes granted nothing.
 */
export const retireKeyScopes: Migration = {
  async up(db: Kysely<any>) {
    await sql`
      update gateway.api_keys
      set scopes = array(select scope from unnest(scopes) as scope where scope not in ('trips', 'notifications'))
      where scopes && array['trips', 'notifications']::text[]
    `.execute(db);
  },
  async down() {},
};
