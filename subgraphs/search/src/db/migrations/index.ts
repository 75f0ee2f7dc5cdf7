import type { Migration } from 'kysely';
import { searchLogMigration } from './2026-11-26T10-00-00-search-log.ts';

/** Every search migration by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026-11-26T10-00-00-search-log': searchLogMigration,
};
