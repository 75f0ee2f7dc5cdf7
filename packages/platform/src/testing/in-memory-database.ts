import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from '../pglite-dialect.ts';

/** A database of its own in memory (PGlite) for a test that needs no server; `close` frees it. */
export function inMemoryDatabase<DB>(): { db: Kysely<DB>; close(): Promise<void> } {
  const pglite = new PGlite();
  return { db: new Kysely<DB>({ dialect: new PGliteDialect(pglite) }), close: () => pglite.close() };
}
