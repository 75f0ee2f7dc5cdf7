import type { Migration } from 'kysely';
import { tripCoreMigration } from './2026-11-26T00-00-00-trip-core.ts';
import { tripOutboxMigration } from './2026-11-26T00-01-00-trip-outbox.ts';
import { destinationPopularityMigration } from './2026-11-26T00-02-00-destination-popularity.ts';
import { userDirectoryMigration } from './2026-12-02T13-00-00-user-directory.ts';

/** Every trip migration by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026-11-26T00-00-00-trip-core': tripCoreMigration,
  '2026-11-26T00-01-00-trip-outbox': tripOutboxMigration,
  '2026-11-26T00-02-00-destination-popularity': destinationPopularityMigration,
  '2026-12-02T13-00-00-user-directory': userDirectoryMigration,
};
