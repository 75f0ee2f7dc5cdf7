import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from '@traveloure/platform/testing';
import { startAmadeusEmulator, type AmadeusEmulator } from '@traveloure/testing';
import { flightQuery, hotelQuery, startSubgraphForTest, type SubgraphForTest } from './test-support.ts';
import { addDays, todayUtc } from './search/search.input.ts';

let emulator: AmadeusEmulator;
let redis: PrivateRedis;
let search: SubgraphForTest;
/** The signed-in caller of these searches. */
const traveler = { id: 'traveler-1' };
const inDays = (days: number) => addDays(todayUtc(), days);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  emulator = await startAmadeusEmulator();
  redis = await startPrivateRedis();
  search = await startSubgraphForTest('redis_outage', {
    REDIS_URL: redis.url,
    AMADEUS_CLIENT_ID: emulator.clientId,
    AMADEUS_CLIENT_SECRET: emulator.clientSecret,
    AMADEUS_HOST: emulator.url,
    AMADEUS_RETRY_BASE_MS: '1',
    AMADEUS_TIMEOUT_MS: '2000',
    SEARCH_L1_TTL_MS: '10',
  });
});

afterAll(async () => {
  await search?.close();
  await redis?.stop();
  await emulator?.close();
});

async function readiness() {
  const base = search.url.replace(/\/graphql$/, '');
  const response = await fetch(`${base}/health/ready`);
  return {
    status: response.status,
    body: (await response.json()) as { status: string; checks: Record<string, { status: string }> },
  };
}

describe('search with a Redis that dies mid-test', () => {
  it('keeps answering from L1 and Amadeus, then uses Redis again when it is back', async () => {
    const input = { origin: 'NYC', destination: 'PAR', departureDate: inDays(30) };
    const before = await search.graphql(flightQuery, { input }, traveler);
    expect(before.body.data.searchFlights.meta.cached).toBe(false);
    const redisClient = search.service.runtime.redis!;
    const keysBefore = await redisClient.keys('*flights*');
    expect(keysBefore.length).toBeGreaterThan(0);

    await redis.stop();
    for (let i = 0; i < 100 && redisClient.status === 'ready'; i++) await sleep(20);

    // The entry cached before the outage is still served (from L1), with no error.
    const during = await search.graphql(flightQuery, { input }, traveler);
    expect(during.body.errors).toBeUndefined();
    expect(during.body.data.searchFlights.meta).toMatchObject({ cached: true, stale: false });
    // New searches go to Amadeus and are cached in process.
    const hotels = { cityCode: 'PAR', checkIn: inDays(30), checkOut: inDays(33) };
    const newSearch = await search.graphql(hotelQuery, { input: hotels }, traveler);
    expect(newSearch.body.errors).toBeUndefined();
    expect(newSearch.body.data.searchHotels.meta.cached).toBe(false);
    const repeated = await Promise.all(
      Array.from({ length: 20 }, () => search.graphql(hotelQuery, { input: hotels }, traveler)),
    );
    expect(repeated.every((response) => response.body.data?.searchHotels.meta.cached === true)).toBe(true);
    expect(emulator.count('/v3/shopping/hotel-offers')).toBe(1);
    // Readiness: degraded (Redis is not critical), still serving.
    const ready = await readiness();
    expect(ready.status).toBe(200);
    expect(ready.body.checks.redis?.status).toBe('down');
    expect(ready.body.status).toBe('degraded');

    await redis.start();
    for (let i = 0; i < 150 && redisClient.status !== 'ready'; i++) await sleep(20);
    expect(redisClient.status).toBe('ready');
    const after = await search.graphql(flightQuery, { input: { ...input, destination: 'ROM' } }, traveler);
    expect(after.body.errors).toBeUndefined();
    expect((await redisClient.keys('*flights*')).length).toBeGreaterThan(0);
  });

  it('keeps answering new searches while Redis hangs (up but silent), without failing Amadeus', async () => {
    const redisClient = search.service.runtime.redis!;
    const pid = Number(/process_id:(\d+)/.exec(await redisClient.info('server'))![1]);
    const input = { origin: 'LON', destination: 'PAR', departureDate: inDays(50) };
    process.kill(pid, 'SIGSTOP');
    try {
      // Cache, throttle and search log all meet the silent Redis; the search still answers.
      const during = await search.graphql(flightQuery, { input }, traveler);
      expect(during.body.errors).toBeUndefined();
      expect(during.body.data.searchFlights.meta).toMatchObject({
        provider: 'amadeus',
        cached: false,
        stale: false,
      });
      const base = search.url.replace(/\/graphql$/, '');
      const ready = (await (await fetch(`${base}/health/ready`)).json()) as {
        checks: Record<string, { status: string }>;
      };
      expect(ready.checks['upstream:amadeus']?.status).toBe('up');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  });
});
