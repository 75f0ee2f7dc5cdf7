import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  createLogger,
  createRedis,
  createDataCache,
  createUpstream,
  migrateSchema,
  type DatabaseHandle,
  type Redis,
  type UpstreamOptions,
} from '@traveloure/platform';
import {
  createTestDatabase,
  startPrivateRedis,
  testRedisUrl,
  type TestDatabase,
} from '@traveloure/platform/testing';
import { startAmadeusEmulator, type AmadeusEmulator } from '@traveloure/testing';
import { createAmadeusClient } from '../amadeus/client.ts';
import type { Database } from '../db/database.ts';
import { migrations } from '../db/migrations/index.ts';
import { insertSearchLog } from '../db/search-log.repository.ts';
import { createAmadeusProvider } from '../providers/amadeus.ts';
import { createSearchService, type SearchService } from '../search/search.service.ts';
import { hotelSearchInput } from '../hotels/hotels.input.ts';
import { addDays, parseSearchInput, todayUtc } from '../search/search.input.ts';
import { createCacheWarming } from './warming.service.ts';
import { createSearchLogWriter } from '../search-log/search-log-writer.ts';

const logger = createLogger('search-warming-test', { level: 'silent' });
const inDays = (days: number) => addDays(todayUtc(), days);
let emulator: AmadeusEmulator;
let testDatabase: TestDatabase;
let database: DatabaseHandle<Database>;
let search: SearchService;
let redis: Redis;

/** A search service on the emulator with its own (L1-only) caches. */
function makeSearch(upstreamOptions: UpstreamOptions, staleTtlSeconds: number): SearchService {
  const upstream = createUpstream(upstreamOptions);
  const client = createAmadeusClient({
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    baseUrl: emulator.url,
    logger,
    upstream,
  });
  const cache = (namespace: string) =>
    createDataCache({
      service: 'search-warming-test',
      namespace: `${namespace}-${randomUUID()}`,
      logger,
    });
  return createSearchService({
    provider: createAmadeusProvider(client, cache('hotel-list'), 3600),
    flights: cache('flights'),
    hotels: cache('hotels'),
    searchLog: createSearchLogWriter({
      db: database.db,
      logger,
      flushIntervalMs: 60_000,
      batchSize: 100,
      maxBuffered: 1_000,
    }),
    ttlSeconds: 300,
    staleTtlSeconds,
  });
}

beforeAll(async () => {
  emulator = await startAmadeusEmulator();
  testDatabase = await createTestDatabase('search_warming');
  database = createDatabase<Database>({ service: 'search', url: testDatabase.url, poolMax: 3 });
  await migrateSchema(database.db, 'search', migrations);
  redis = createRedis(testRedisUrl, logger);
  search = makeSearch({ name: 'amadeus-warming', logger, timeoutMs: 2_000 }, 3600);
  const row = (cityCode: string, checkIn: number, checkOut: number, adults = 1) => ({
    kind: 'HOTEL' as const,
    destination_code: cityCode,
    origin_code: null,
    start_date: inDays(checkIn),
    end_date: inDays(checkOut),
    adults,
    rooms: 1,
    user_id: null,
    provider: 'amadeus',
    cached: false,
    stale: false,
    result_count: 3,
  });
  // Paris searched most, then Rome; a past stay and a flight search are never warmed.
  for (let i = 0; i < 5; i++) await insertSearchLog(database.db, row('PAR', 30, 33, 2));
  for (let i = 0; i < 3; i++) await insertSearchLog(database.db, row('ROM', 40, 42));
  await insertSearchLog(database.db, row('BER', 50, 51));
  await insertSearchLog(database.db, { ...row('LON', -5, -2) });
  await insertSearchLog(database.db, { ...row('TYO', 10, 12), kind: 'FLIGHT', origin_code: 'NYC' });
});

afterAll(async () => {
  redis?.disconnect();
  await database?.close();
  await testDatabase?.drop();
  await emulator?.close();
});

describe('cache warming', () => {
  it('pre-fetches the most searched hotel searches, within its budget', async () => {
    const warming = createCacheWarming({
      db: database.db,
      search,
      logger,
      intervalMs: 60_000,
      top: 2,
      lookbackDays: 7,
    });
    emulator.reset();
    expect(await warming.runOnce()).toEqual({ warmed: 2, failed: 0 });
    expect(emulator.count('/v3/shopping/hotel-offers')).toBe(2);
    const cities = emulator.requests
      .filter((request) => request.path.startsWith('/v1/reference-data'))
      .map((request) => request.query.cityCode);
    expect(cities.sort()).toEqual(['PAR', 'ROM']);

    // A traveler's identical search is now a cache hit.
    const paris = await search.searchHotels(
      parseSearchInput(hotelSearchInput(), {
        cityCode: 'PAR',
        checkIn: inDays(30),
        checkOut: inDays(33),
        adults: 2,
      }),
    );
    expect(paris.meta).toMatchObject({ cached: true, stale: false });
    expect(emulator.count('/v3/shopping/hotel-offers')).toBe(2);

    // The next run refreshes the entries (they would otherwise expire between runs).
    await warming.runOnce();
    expect(emulator.count('/v3/shopping/hotel-offers')).toBe(4);
    // Warming leaves no trace in the search log.
    await search.flushSearchLog();
    const logged = await database.db
      .selectFrom('search.search_log')
      .select(database.db.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(logged.n)).toBe(12);
  });

  it('runs on one replica per interval when they share Redis', async () => {
    for (let i = 0; i < 50 && redis.status !== 'ready'; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const lockKey = `test-warming-lock-${randomUUID()}`;
    const make = () =>
      createCacheWarming({
        db: database.db,
        search,
        logger,
        redis,
        lockKey,
        intervalMs: 60_000,
        top: 1,
        lookbackDays: 7,
      });
    const [first, second] = await Promise.all([make().runOnce(), make().runOnce()]);
    expect([first.skipped, second.skipped].filter((skipped) => skipped === 'locked')).toHaveLength(1);
    await redis.del(lockKey);
  });

  it('a Redis that hangs holds neither a run nor shutdown: it warms without the lock', async () => {
    const frozen = await startPrivateRedis();
    const client = createRedis(frozen.url, logger);
    try {
      for (let i = 0; i < 50 && client.status !== 'ready'; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))![1]);
      process.kill(pid, 'SIGSTOP');
      try {
        const warming = createCacheWarming({
          db: database.db,
          search,
          logger,
          redis: client,
          lockTimeoutMs: 100,
          intervalMs: 60_000,
          top: 1,
          lookbackDays: 7,
        });
        expect(await warming.runOnce()).toEqual({ warmed: 1, failed: 0 });
        await warming.stop();
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    } finally {
      client.disconnect();
      await frozen.stop();
    }
  });

  it('stops a run when the breaker is open', async () => {
    const failing = makeSearch(
      {
        name: 'amadeus-warming-breaker',
        logger,
        timeoutMs: 2_000,
        breaker: { failureRateThreshold: 0.5, minimumCalls: 1, windowMs: 10_000, halfOpenAfterMs: 60_000 },
      },
      0,
    );
    emulator.reset();
    emulator.setFault({ kind: 'status', status: 503 });
    const report = await createCacheWarming({
      db: database.db,
      search: failing,
      logger,
      intervalMs: 60_000,
      top: 3,
      lookbackDays: 7,
    }).runOnce();
    emulator.setFault(undefined);
    // The first search fails and opens the breaker; the second is refused and ends the run.
    expect(report).toEqual({ warmed: 0, failed: 2 });
    expect(emulator.count('/v1/reference-data')).toBe(1);
  });
});
