import type { Migration } from 'kysely';
import { apiKeys } from './2026-11-26-001-api-keys.ts';
import { retireKeyScopes } from './2026-11-27-002-retire-key-scopes.ts';

/** The gateway's own schema (`gateway`): partner API keys. */
export const gatewayMigrations: Record<string, Migration> = {
  '2026-11-26-001-api-keys': apiKeys,
  '2026-11-27-002-retire-key-scopes': retireKeyScopes,
};
