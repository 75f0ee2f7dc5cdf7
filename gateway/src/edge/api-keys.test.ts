import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { createLogger, migrateSchema } from '@traveloure/platform';
import { createTestDatabase, type TestDatabase } from '@traveloure/platform/testing';
import {
  ApiKeyInputError,
  createApiKey,
  createApiKeyStore,
  hashApiKey,
  listApiKeys,
  revokeApiKey,
  type GatewayDatabase,
} from './api-keys.ts';
import { gatewayMigrations } from './migrations/index.ts';
import { loadGatewayConfig } from '../config.ts';
import { openGatewayDatabase } from './index.ts';

let database: TestDatabase;
let db: Kysely<GatewayDatabase>;
const logger = createLogger('api-keys-test', { level: 'silent' });

beforeAll(async () => {
  database = await createTestDatabase('edge_api_keys');
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => {}); // the database is dropped with force at the end
  db = new Kysely<GatewayDatabase>({ dialect: new PostgresDialect({ pool }) });
  await migrateSchema(db as Kysely<any>, 'gateway', gatewayMigrations);
});
afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('API keys', () => {
  it('stores only the sha-256 of a new key and shows the key once', async () => {
    const { key, record } = await createApiKey(db, {
      owner: 'Acme',
      scopes: ['search', 'catalog', 'search'],
      rateLimit: 50,
    });
    expect(key).toMatch(/^tvl_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({
      owner: 'Acme',
      scopes: ['catalog', 'search'],
      rateLimit: 50,
      revokedAt: null,
      prefix: key.slice(0, 12),
    });
    const row = await db
      .selectFrom('gateway.api_keys')
      .selectAll()
      .where('id', '=', record.id)
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashApiKey(key));
    expect(Object.values(row).map(String)).not.toContain(key);
  });

  it('refuses unknown scopes, no scopes, no owner and bad limits', async () => {
    await expect(createApiKey(db, { owner: 'X', scopes: ['everything'], rateLimit: 1 })).rejects.toThrow(
      ApiKeyInputError,
    );
    // A withdrawn scope is named as such, with what to use instead.
    await expect(createApiKey(db, { owner: 'X', scopes: ['search', 'trips'], rateLimit: 1 })).rejects.toThrow(
      /trips no longer exist.*signed-in person.*user token.*known: catalog, search, ai, analytics/,
    );
    await expect(createApiKey(db, { owner: 'X', scopes: [], rateLimit: 1 })).rejects.toThrow(
      /at least one scope/,
    );
    await expect(createApiKey(db, { owner: ' ', scopes: ['search'], rateLimit: 1 })).rejects.toThrow(/owner/);
    await expect(createApiKey(db, { owner: 'X', scopes: ['search'], rateLimit: 0 })).rejects.toThrow(
      /rate limit/,
    );
  });

  it('verifies, caches within the TTL, and stops after revocation once the cache expires', async () => {
    const { key, record } = await createApiKey(db, { owner: 'Cached', scopes: ['search'], rateLimit: 7 });
    let clock = 1_000;
    const store = createApiKeyStore(db, { cacheTtlMs: 60_000, logger, now: () => clock });
    expect((await store.verify(key))?.id).toBe(record.id);
    expect(store.limitOf(record.id)).toBe(7);
    await revokeApiKey(db, record.id);
    // Within the TTL the cached answer stands; after it, the revocation is seen.
    expect((await store.verify(key))?.id).toBe(record.id);
    clock += 60_001;
    expect(await store.verify(key)).toBeUndefined();
    expect(await store.verify('not-a-key')).toBeUndefined();
  });

  it('lists active keys, or all of them, and revokes by prefix', async () => {
    const { record } = await createApiKey(db, { owner: 'Listed', scopes: ['ai'], rateLimit: 5 });
    expect((await listApiKeys(db)).map((key) => key.id)).toContain(record.id);
    const revoked = await revokeApiKey(db, record.prefix);
    expect(revoked?.revokedAt).toBeInstanceOf(Date);
    expect((await listApiKeys(db)).map((key) => key.id)).not.toContain(record.id);
    expect((await listApiKeys(db, { includeRevoked: true })).map((key) => key.id)).toContain(record.id);
    expect(await revokeApiKey(db, 'tvl_nothere')).toBeUndefined();
  });
});

describe('the gateway schema for npm run migrate', () => {
  it('takes the withdrawn trips and notifications scopes off stored keys', async () => {
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => gatewayMigrations },
      migrationTableSchema: 'gateway',
    });
    const { error } = await migrator.migrateTo('2026-11-26-001-api-keys');
    expect(error).toBeUndefined();
    const legacy = (owner: string, scopes: string[]) =>
      db
        .insertInto('gateway.api_keys')
        .values({ prefix: 'tvl_legacy', key_hash: `legacy-${owner}`, owner, scopes, rate_limit: 1 })
        .returning('id')
        .executeTakeFirstOrThrow();
    const mixed = await legacy('Legacy Mixed', ['ai', 'notifications', 'search', 'trips']);
    const onlyTrips = await legacy('Legacy Trips', ['trips']);
    await migrateSchema(db as Kysely<any>, 'gateway', gatewayMigrations);
    const scopesOf = async (id: string) =>
      (
        await db
          .selectFrom('gateway.api_keys')
          .select('scopes')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).scopes;
    expect(await scopesOf(mixed.id)).toEqual(['ai', 'search']);
    expect(await scopesOf(onlyTrips.id)).toEqual([]);
  });

  it('rolls back to nothing and comes back, through openGatewayDatabase', async () => {
    const config = loadGatewayConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
    const tableCount = () =>
      sql<{
        count: number;
      }>`select count(*)::int as count from information_schema.tables where table_schema = 'gateway' and table_name = 'api_keys'`
        .execute(db)
        .then((result) => result.rows[0]!.count);
    const down = await openGatewayDatabase(config, logger, { direction: 'down-all' });
    await down.close();
    expect(await tableCount()).toBe(0);
    const up = await openGatewayDatabase(config, logger);
    await up.close();
    expect(await tableCount()).toBe(1);
  });
});
