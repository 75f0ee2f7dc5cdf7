import { createHash, randomBytes } from 'node:crypto';
import type { Generated, Kysely, Selectable } from 'kysely';
// Narrow imports: `npm run apikey` loads this module, and the platform's index brings Apollo,
// BullMQ and Sentry (seconds of start-up a key command does not need).
import { isUuid } from '@traveloure/platform/policies/ids';
import type { Logger } from '@traveloure/platform/logger';
import { isScope, retiredScopes, scopes } from './scope-names.ts';

/** The gateway's own tables (schema `gateway`). */
export interface GatewayDatabase {
  'gateway.api_keys': {
    id: Generated<string>;
    prefix: string;
    key_hash: string;
    owner: string;
    description: string | null;
    scopes: string[];
    rate_limit: number;
    created_at: Generated<Date>;
    last_used_at: Date | null;
    revoked_at: Date | null;
  };
}

export type ApiKeyRow = Selectable<GatewayDatabase['gateway.api_keys']>;

/** What is known about a key once verified (never its secret). */
export interface ApiKeyRecord {
  id: string;
  prefix: string;
  owner: string;
  description: string | null;
  scopes: string[];
  rateLimit: number;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const KEY_PREFIX = 'tvl_';

/**
 * A key is 32 random bytes: sha-256 of it is a safe store (a slow password hash buys nothing for
 * secrets with 256 bits of entropy, and would cost every request).
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): { key: string; prefix: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, KEY_PREFIX.length + 8) };
}

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    prefix: row.prefix,
    owner: row.owner,
    description: row.description,
    scopes: row.scopes,
    rateLimit: row.rate_limit,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export class ApiKeyInputError extends Error {
  override name = 'ApiKeyInputError';
}

export interface CreateApiKeyInput {
  owner: string;
  scopes: string[];
  rateLimit: number;
  description?: string;
}

export async function createApiKey(db: Kysely<GatewayDatabase>, input: CreateApiKeyInput) {
  const owner = input.owner.trim();
  if (!owner) throw new ApiKeyInputError('owner is required');
  const retired = input.scopes.filter((scope) => retiredScopes[scope]);
  if (retired.length) {
    throw new ApiKeyInputError(
      `scope(s) ${retired.join(', ')} no longer exist (${retired.map((scope) => retiredScopes[scope]).join('; ')}); known: ${scopes.join(', ')}`,
    );
  }
  const unknown = input.scopes.filter((scope) => !isScope(scope));
  if (unknown.length) {
    throw new ApiKeyInputError(`unknown scope(s) ${unknown.join(', ')}; known: ${scopes.join(', ')}`);
  }
  if (!input.scopes.length)
    throw new ApiKeyInputError(`at least one scope is required (${scopes.join(', ')})`);
  if (!Number.isInteger(input.rateLimit) || input.rateLimit < 1) {
    throw new ApiKeyInputError('rate limit must be a positive integer (requests per window)');
  }
  const { key, prefix } = generateApiKey();
  const row = await db
    .insertInto('gateway.api_keys')
    .values({
      prefix,
      key_hash: hashApiKey(key),
      owner,
      description: input.description ?? null,
      scopes: [...new Set(input.scopes)].sort(),
      rate_limit: input.rateLimit,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { key, record: toRecord(row) };
}

export async function listApiKeys(db: Kysely<GatewayDatabase>, options: { includeRevoked?: boolean } = {}) {
  let query = db.selectFrom('gateway.api_keys').selectAll().orderBy('created_at', 'asc');
  if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
  return (await query.execute()).map(toRecord);
}

/** Revokes by id or by the displayed prefix; returns the revoked key, or undefined if none matched. */
export async function revokeApiKey(db: Kysely<GatewayDatabase>, idOrPrefix: string) {
  const matches = await db
    .selectFrom('gateway.api_keys')
    .select(['id'])
    .where(isUuid(idOrPrefix) ? 'id' : 'prefix', '=', idOrPrefix)
    .execute();
  if (matches.length > 1)
    throw new ApiKeyInputError(`prefix ${idOrPrefix} matches several keys; revoke by id`);
  if (!matches.length) return undefined;
  const row = await db
    .updateTable('gateway.api_keys')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.fn<Date>('now', [])) }))
    .where('id', '=', matches[0]!.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}

export async function findActiveApiKey(db: Kysely<GatewayDatabase>, key: string) {
  const row = await db
    .selectFrom('gateway.api_keys')
    .selectAll()
    .where('key_hash', '=', hashApiKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

export interface ApiKeyStore {
  verify(key: string): Promise<ApiKeyRecord | undefined>;
  /** The rate limit of a key verified by this process. */
  limitOf(id: string): number | undefined;
}

/**
 * Verification with a short in-process cache (API_KEY_CACHE_TTL_MS): a partner's burst does not
 * cost a query per request, and a revoked key stops working within the TTL. `last_used_at` is
 * written at most once a minute per key, off the request path.
 */
export function createApiKeyStore(
  db: Kysely<GatewayDatabase>,
  options: { cacheTtlMs: number; logger: Logger; maxEntries?: number; now?: () => number },
): ApiKeyStore {
  const cache = new Map<string, { record: ApiKeyRecord | undefined; expires: number }>();
  const lastTouched = new Map<string, number>();
  const limits = new Map<string, number>();
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const touch = (id: string) => {
    const at = now();
    if ((lastTouched.get(id) ?? -Infinity) > at - 60_000) return;
    lastTouched.set(id, at);
    db.updateTable('gateway.api_keys')
      .set({ last_used_at: new Date() })
      .where('id', '=', id)
      .execute()
      .catch((error) => options.logger.warn({ err: error }, 'could not record API key use'));
  };
  return {
    async verify(key) {
      // Shapes that cannot be a key never reach the database.
      if (!key.startsWith(KEY_PREFIX) || key.length > 128) return undefined;
      const hash = hashApiKey(key);
      const cached = cache.get(hash);
      let record: ApiKeyRecord | undefined;
      if (cached && cached.expires > now()) {
        record = cached.record;
      } else {
        record = await findActiveApiKey(db, key);
        if (options.cacheTtlMs > 0) {
          if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
          cache.set(hash, { record, expires: now() + options.cacheTtlMs });
        }
      }
      if (record) {
        limits.set(record.id, record.rateLimit);
        touch(record.id);
      }
      return record;
    },
    limitOf: (id) => limits.get(id),
  };
}
