import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  createLogger,
  metricsRegistry,
  migrateSchema,
  type DatabaseHandle,
} from '@traveloure/platform';
import { createTestDatabase, type TestDatabase } from '@traveloure/platform/testing';
import type { Database, NewSearchLogRow } from '../db/database.ts';
import { migrations } from '../db/migrations/index.ts';
import { createSearchLogWriter } from './search-log-writer.ts';
import { startSubgraphForTest, flightQuery } from '../test-support.ts';
import { addDays, todayUtc } from '../search/search.input.ts';

const logger = createLogger('search-log-test', { level: 'silent' });
let testDatabase: TestDatabase;
let database: DatabaseHandle<Database>;
const inserts: string[] = [];

beforeAll(async () => {
  testDatabase = await createTestDatabase('search_log_writer');
  database = createDatabase<Database>({
    service: 'search',
    url: testDatabase.url,
    onQuery: (sqlText) => {
      if (/insert into "search"\."search_log"/.test(sqlText)) inserts.push(sqlText);
    },
  });
  await migrateSchema(database.db, 'search', migrations);
});
afterAll(async () => {
  await database?.close();
  await testDatabase?.drop();
});

const row = (destination: string): NewSearchLogRow => ({
  kind: 'HOTEL',
  destination_code: destination,
  origin_code: null,
  start_date: addDays(todayUtc(), 30),
  end_date: addDays(todayUtc(), 32),
  adults: 2,
  rooms: 1,
  user_id: 'traveler-log',
  provider: 'demo',
  cached: true,
  stale: false,
  result_count: 3,
});

const countOf = async (destination: string) =>
  Number(
    (
      await database.db
        .selectFrom('search.search_log')
        .select(database.db.fn.countAll<string>().as('n'))
        .where('destination_code', '=', destination)
        .executeTakeFirstOrThrow()
    ).n,
  );

const metric = async (outcome: string) => {
  const values = (await metricsRegistry.getSingleMetric('search_log_rows_total')?.get())?.values ?? [];
  return values.find((value) => value.labels.outcome === outcome)?.value ?? 0;
};

describe('search log write-behind', () => {
  it('writes rows on its interval, without the caller waiting', async () => {
    const writer = createSearchLogWriter({
      db: database.db,
      logger,
      flushIntervalMs: 20,
      batchSize: 100,
      maxBuffered: 1_000,
    });
    writer.record(row('AMS'));
    writer.record(row('AMS'));
    expect(await countOf('AMS')).toBe(0);
    for (let i = 0; i < 100 && (await countOf('AMS')) < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await countOf('AMS')).toBe(2);
    await writer.close();
  });

  it('turns a burst into a few multi-row inserts', async () => {
    const writer = createSearchLogWriter({
      db: database.db,
      logger,
      flushIntervalMs: 60_000,
      batchSize: 100,
      maxBuffered: 10_000,
    });
    inserts.length = 0;
    for (let i = 0; i < 250; i++) writer.record(row('BCN'));
    await writer.flush();
    expect(await countOf('BCN')).toBe(250);
    expect(inserts.length).toBeLessThanOrEqual(3);
    await writer.close();
  });

  it('drains what is queued on shutdown', async () => {
    const writer = createSearchLogWriter({
      db: database.db,
      logger,
      flushIntervalMs: 60_000,
      batchSize: 100,
      maxBuffered: 1_000,
    });
    for (let i = 0; i < 7; i++) writer.record(row('CPH'));
    expect(await countOf('CPH')).toBe(0);
    await writer.close();
    expect(await countOf('CPH')).toBe(7);
  });

  it('holds at most maxBuffered rows and counts the ones it drops', async () => {
    const writer = createSearchLogWriter({
      db: database.db,
      logger,
      flushIntervalMs: 60_000,
      batchSize: 1_000,
      maxBuffered: 5,
    });
    const before = await metric('dropped');
    for (let i = 0; i < 8; i++) writer.record(row('DUB'));
    expect((await metric('dropped')) - before).toBe(3);
    await writer.close();
    expect(await countOf('DUB')).toBe(5);
  });
});

describe('served searches', () => {
  it('are logged behind the answer, and the service drains its log when it stops', async () => {
    const search = await startSubgraphForTest('log_drain', { SEARCH_LOG_FLUSH_MS: '60000' }, testDatabase);
    const input = { origin: 'PAR', destination: 'LIS', departureDate: addDays(todayUtc(), 60) };
    for (let i = 0; i < 3; i++) {
      const response = await search.graphql(flightQuery, { input }, { id: 'traveler-drain' });
      expect(response.body.errors).toBeUndefined();
    }
    expect(await countOf('LIS')).toBe(0);
    await search.close();
    expect(await countOf('LIS')).toBe(3);
  });
});
