import type { Migration } from 'kysely';
import { notificationInitial } from './2026_11_26_001_notification.ts';
import { pluralTableNames } from './2026-12-02T18-40-00-plural-table-names.ts';

export const migrations: Record<string, Migration> = {
  '2026_11_26_001_notification': notificationInitial,
  '2026-12-02T18-40-00-plural-table-names': pluralTableNames,
};
