import type { Migration } from 'kysely';
import { notificationInitial } from './2026_11_26_001_notification.ts';

export const migrations: Record<string, Migration> = {
  '2026_11_26_001_notification': notificationInitial,
};
