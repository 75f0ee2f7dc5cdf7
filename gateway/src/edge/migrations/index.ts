import type { Migration } from 'kysely';
import { apiKeys } from './2026-11-26-001-api-keys.ts';

/** The gateway's own schema (`gateway`): partner API keys. */
export const gatewayMigrations: Record<string, Migration> = {
  '2026-11-26-001-api-keys': apiKeys,
};
