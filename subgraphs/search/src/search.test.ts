import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testRedisUrl } from '@traveloure/platform/testing';
import { startAmadeusEmulator, type AmadeusEmulator } from '@traveloure/testing';
import { flightQuery, hotelQuery, startSubgraphForTest, type SubgraphForTest } from './test-support.ts';
import { addDays, todayUtc } from './search/search.input.ts';

let emulator: AmadeusEmulator;
let search: SubgraphForTest;
/** The signed-in caller of these searches. */
const traveler = { id: 'traveler-1' };
const inDays = (days: number) => addDays(todayUtc(), days);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  emulator = await startAmadeusEmulator();
  search = await startSubgraphForTest('http', {
    REDIS_URL: testRedisUrl,
    AMADEUS_CLIENT_ID: emulator.clientId,
    AMADEUS_CLIENT_SECRET: emulator.clientSecret,
    AMADEUS_HOST: emulator.url,
    AMADEUS_RETRY_BASE_MS: '1',
    AMADEUS_RETRY_MAX_MS: '10',
    AMADEUS_TIMEOUT_MS: '2000',
    // High enough that only the breaker test trips it.
    AMADEUS_BREAKER_MIN_CALLS: '1000',
  });
});

beforeEach(() => emulator.reset());

afterAll(async () => {
  await search?.close();
  await emulator?.close();
});

describe('searchFlights', () => {
  it('answers from Amadeus, then from the cache', async () => {
    const input = {
      origin: 'NYC',
      destination: 'PAR',
      departureDate: inDays(30),
      returnDate: inDays(37),
      adults: 2,
    };
    const first = await search.graphql(flightQuery, { input }, traveler);
    expect(first.body.errors).toBeUndefined();
    const result = first.body.data.searchFlights;
    expect(result.meta).toMatchObject({ provider: 'amadeus', cached: false, stale: false });
    expect(result.offers.length).toBeGreaterThan(0);
    expect(result.offers[0].itineraries).toHaveLength(2);
    const prices = result.offers.map((offer: { price: { amount: string } }) => Number(offer.price.amount));
    expect(prices).toEqual([...prices].sort((a, b) => a - b));

    // The same search, spelled differently (lower case, default adults given explicitly).
    const second = await search.graphql(
      flightQuery,
      { input: { ...input, origin: 'nyc', maxResults: 10 } },
      traveler,
    );
    expect(second.body.data.searchFlights.meta).toMatchObject({
      cached: true,
      stale: false,
      fetchedAt: result.meta.fetchedAt,
    });
    expect(second.body.data.searchFlights.offers).toEqual(result.offers);
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(1);
  });

  it('100 concurrent identical searches make one upstream call', async () => {
    const input = { origin: 'LON', destination: 'TYO', departureDate: inDays(60) };
    // A slow answer keeps the first call in flight while the others arrive: only coalescing,
    // not a cache hit after it, can keep them from Amadeus.
    emulator.setFault({ kind: 'slow', delayMs: 300 });
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => search.graphql(flightQuery, { input }, traveler)),
    );
    expect(responses.every((response) => response.body.errors === undefined)).toBe(true);
    expect(new Set(responses.map((response) => response.body.data.searchFlights.meta.fetchedAt)).size).toBe(
      1,
    );
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(1);
  });

  it('rejects bad input naming every field, before any upstream call', async () => {
    const response = await search.graphql(
      flightQuery,
      {
        input: {
          origin: 'N1',
          destination: 'PAR',
          departureDate: inDays(-1),
          returnDate: inDays(-3),
          adults: 0,
          maxResults: 51,
        },
      },
      traveler,
    );
    const error = response.body.errors?.[0];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.extensions?.requestId).toBeTruthy();
    const fields = (error?.extensions?.fields as { field: string[] }[]).map((problem) =>
      problem.field.join('.'),
    );
    expect(fields).toEqual([
      'input.origin',
      'input.departureDate',
      'input.returnDate',
      'input.adults',
      'input.maxResults',
    ]);
    expect(error?.message).not.toMatch(/at .*\.ts/);
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(0);

    const tooFar = await search.graphql(
      flightQuery,
      {
        input: { origin: 'NYC', destination: 'PAR', departureDate: inDays(362) },
      },
      traveler,
    );
    expect(tooFar.body.errors?.[0]?.extensions?.field).toEqual(['input', 'departureDate']);
    const backwards = await search.graphql(
      flightQuery,
      {
        input: { origin: 'NYC', destination: 'PAR', departureDate: inDays(10), returnDate: inDays(9) },
      },
      traveler,
    );
    expect(backwards.body.errors?.[0]?.extensions?.field).toEqual(['input', 'returnDate']);
  });

  it('answers UPSTREAM_UNAVAILABLE when Amadeus fails and nothing is cached', async () => {
    emulator.setFault({ kind: 'status', status: 500 });
    const response = await search.graphql(
      flightQuery,
      {
        input: { origin: 'BER', destination: 'ROM', departureDate: inDays(20) },
      },
      traveler,
    );
    const error = response.body.errors?.[0];
    expect(error?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error?.extensions?.requestId).toBeTruthy();
    expect(error?.message).not.toMatch(/HTTP 500|SYSTEM ERROR/);
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(3);
  });
});

describe('searchHotels', () => {
  it('lists the city’s hotels once, then searches offers for each stay', async () => {
    const first = await search.graphql(
      hotelQuery,
      {
        input: { cityCode: 'PAR', checkIn: inDays(40), checkOut: inDays(43), adults: 2 },
      },
      traveler,
    );
    expect(first.body.errors).toBeUndefined();
    const result = first.body.data.searchHotels;
    expect(result.meta).toMatchObject({ provider: 'amadeus', cached: false });
    expect(result.offers.length).toBeGreaterThan(0);
    expect(result.offers[0]).toMatchObject({
      checkIn: inDays(40),
      checkOut: inDays(43),
      hotel: { cityCode: 'PAR' },
    });
    const second = await search.graphql(
      hotelQuery,
      {
        input: { cityCode: 'PAR', checkIn: inDays(50), checkOut: inDays(52) },
      },
      traveler,
    );
    expect(second.body.data.searchHotels.offers.length).toBeGreaterThan(0);
    expect(emulator.count('/v1/reference-data/locations/hotels/by-city')).toBe(1);
    expect(emulator.count('/v3/shopping/hotel-offers')).toBe(2);
  });

  it('answers an empty list for a city without hotels', async () => {
    const response = await search.graphql(
      hotelQuery,
      {
        input: { cityCode: 'QQQ', checkIn: inDays(40), checkOut: inDays(41) },
      },
      traveler,
    );
    expect(response.body.data.searchHotels.offers).toEqual([]);
    expect(emulator.count('/v3/shopping/hotel-offers')).toBe(0);
  });

  it('rejects checkOut on or before checkIn', async () => {
    const response = await search.graphql(
      hotelQuery,
      {
        input: { cityCode: 'PAR', checkIn: inDays(40), checkOut: inDays(40), rooms: 10 },
      },
      traveler,
    );
    const fields = (response.body.errors?.[0]?.extensions?.fields as { field: string[] }[]).map((problem) =>
      problem.field.join('.'),
    );
    expect(fields).toEqual(['input.checkOut', 'input.rooms']);
  });
});

describe('Trip offers (@requires)', () => {
  const entities = /* GraphQL */ `
    query ($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Trip {
          id
          flightOffers(origin: "NYC") {
            offers {
              price {
                amount
                currency
              }
            }
            meta {
              provider
              cached
              stale
            }
          }
          hotelOffers(adults: 2, maxResults: 3) {
            offers {
              id
              hotel {
                name
              }
            }
            meta {
              provider
            }
          }
        }
      }
    }
  `;

  it('searches from the trip’s destination and dates', async () => {
    const trip = {
      __typename: 'Trip',
      id: 'trip-1',
      destinationCode: 'ROM',
      startDate: inDays(90),
      endDate: inDays(95),
    };
    const response = await search.graphql(
      entities,
      { representations: [trip, { ...trip, id: 'trip-2' }] },
      traveler,
    );
    expect(response.body.errors).toBeUndefined();
    const [first, second] = response.body.data._entities;
    expect(first.flightOffers.offers.length).toBeGreaterThan(0);
    expect(first.flightOffers.meta).toMatchObject({ provider: 'amadeus', stale: false });
    expect(first.hotelOffers.offers.length).toBeLessThanOrEqual(3);
    expect(second.flightOffers.offers).toEqual(first.flightOffers.offers);
    // Two trips to the same place and dates: one search of each kind.
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(1);
    expect(
      emulator.requests.find((request) => request.path === '/v2/shopping/flight-offers')?.query,
    ).toMatchObject({
      originLocationCode: 'NYC',
      destinationLocationCode: 'ROM',
      departureDate: inDays(90),
      returnDate: inDays(95),
    });
  });

  it('a bad argument names the argument the client gave (origin), before any upstream call', async () => {
    const trip = {
      __typename: 'Trip',
      id: 'trip-rome',
      destinationCode: 'ROM',
      startDate: inDays(90),
      endDate: inDays(95),
    };
    const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Trip { flightOffers(origin: "rom") { offers { id } } } } }`;
    const response = await search.graphql(query, { representations: [trip] }, traveler);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['flightOffers', 'origin'],
    });
    expect(emulator.requests).toHaveLength(0);
  });

  it('a past trip has no offers and costs no upstream call', async () => {
    const trip = {
      __typename: 'Trip',
      id: 'trip-old',
      destinationCode: 'ROM',
      startDate: inDays(-20),
      endDate: inDays(-15),
    };
    const response = await search.graphql(entities, { representations: [trip] }, traveler);
    expect(response.body.data._entities[0].flightOffers.offers).toEqual([]);
    expect(response.body.data._entities[0].hotelOffers.offers).toEqual([]);
    expect(emulator.requests).toHaveLength(0);
  });
});

describe('searchDemand', () => {
  const demand = /* GraphQL */ `
    query {
      searchDemand(days: 7, first: 50) {
        destinationCode
        searches
        flightSearches
        hotelSearches
        travelers
        lastSearchedAt
      }
    }
  `;

  it('is for analysts and admins', async () => {
    const response = await search.graphql(demand, {}, { id: 'traveler-1', roles: ['TRAVELER'] });
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('counts searches per destination', async () => {
    for (const [user, day] of [
      ['demand-a', 100],
      ['demand-a', 101],
      ['demand-b', 102],
    ] as const) {
      await search.graphql(
        flightQuery,
        { input: { origin: 'PAR', destination: 'BER', departureDate: inDays(day) } },
        { id: user },
      );
    }
    await search.graphql(
      hotelQuery,
      { input: { cityCode: 'BER', checkIn: inDays(100), checkOut: inDays(102) } },
      { id: 'demand-c' },
    );
    const response = await search.graphql(demand, {}, { id: 'analyst-1', roles: ['ANALYST'] });
    expect(response.body.errors).toBeUndefined();
    const berlin = response.body.data.searchDemand.find(
      (row: { destinationCode: string }) => row.destinationCode === 'BER',
    );
    expect(berlin).toMatchObject({ searches: 4, flightSearches: 3, hotelSearches: 1, travelers: 3 });
    const bad = await search.graphql(
      `query { searchDemand(days: 0) { searches } }`,
      {},
      { id: 'admin-1', roles: ['ADMIN'] },
    );
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['days'] });
  });
});

describe('operations', () => {
  it('refuses calls without the gateway signature', async () => {
    const response = await fetch(search.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(401);
  });

  it('shows the Amadeus breaker in readiness and metrics', async () => {
    const base = search.url.replace(/\/graphql$/, '');
    const ready = (await (await fetch(`${base}/health/ready`)).json()) as {
      checks: Record<string, { status: string }>;
    };
    expect(ready.checks['upstream:amadeus']?.status).toBe('up');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/upstream_breaker_state\{service="search",upstream="amadeus"\} 0/);
    expect(metrics).toMatch(/cache_requests_total\{[^}]*result="hit"/);
  });
});

describe('stale results', () => {
  /** Another search service on the same database whose results are fresh for one second only. */
  const startShortLived = (label: string, env: Record<string, string>) =>
    startSubgraphForTest(
      label,
      {
        REDIS_URL: testRedisUrl,
        AMADEUS_CLIENT_ID: emulator.clientId,
        AMADEUS_CLIENT_SECRET: emulator.clientSecret,
        AMADEUS_HOST: emulator.url,
        SEARCH_CACHE_TTL_SECONDS: '1',
        SEARCH_L1_TTL_MS: '50',
        ...env,
      },
      search.database,
    );

  it('serves the last good result with meta.stale while Amadeus is down', async () => {
    const shortLived = await startShortLived('stale', {
      AMADEUS_RETRY_BASE_MS: '1',
      AMADEUS_RETRY_MAX_MS: '5',
      SEARCH_STALE_TTL_SECONDS: '2',
    });
    try {
      const input = { origin: 'NYC', destination: 'BER', departureDate: inDays(45) };
      const fresh = await shortLived.graphql(flightQuery, { input }, traveler);
      expect(fresh.body.data.searchFlights.meta).toMatchObject({ cached: false, stale: false });
      await sleep(1_100);
      emulator.setFault({ kind: 'status', status: 503 });
      const stale = await shortLived.graphql(flightQuery, { input }, traveler);
      expect(stale.body.errors).toBeUndefined();
      expect(stale.body.data.searchFlights.meta).toMatchObject({
        cached: true,
        stale: true,
        fetchedAt: fresh.body.data.searchFlights.meta.fetchedAt,
      });
      expect(stale.body.data.searchFlights.offers).toEqual(fresh.body.data.searchFlights.offers);
      // SEARCH_STALE_TTL_SECONDS is the oldest a stale answer may be (since fetched), not a
      // window added after freshness: at 2 s old, nothing is served.
      await sleep(1_000);
      const tooOld = await shortLived.graphql(flightQuery, { input }, traveler);
      expect(tooOld.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      emulator.setFault(undefined);
      const again = await shortLived.graphql(flightQuery, { input }, traveler);
      expect(again.body.data.searchFlights.meta).toMatchObject({ cached: false, stale: false });
    } finally {
      await shortLived.close();
    }
  });

  it('serves the last good result while the breaker is open, without calling Amadeus; readiness shows the breaker', async () => {
    const guarded = await startShortLived('breaker', {
      AMADEUS_MAX_ATTEMPTS: '1',
      AMADEUS_BREAKER_MIN_CALLS: '3',
      AMADEUS_BREAKER_HALF_OPEN_MS: '60000',
    });
    const base = guarded.url.replace(/\/graphql$/, '');
    const readiness = async () =>
      ((await (await fetch(`${base}/health/ready`)).json()) as { checks: Record<string, { status: string }> })
        .checks;
    try {
      const input = { origin: 'TYO', destination: 'ROM', departureDate: inDays(75) };
      const fresh = await guarded.graphql(flightQuery, { input }, traveler);
      expect(fresh.body.data.searchFlights.meta).toMatchObject({ cached: false, stale: false });
      await sleep(1_100);
      // Two failures out of three calls, at the minimum volume: the breaker opens.
      emulator.setFault({ kind: 'status', status: 503 });
      for (const destination of ['LON', 'BER']) {
        const failed = await guarded.graphql(flightQuery, { input: { ...input, destination } }, traveler);
        expect(failed.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      }
      expect((await readiness())['upstream:amadeus']?.status).toBe('degraded');
      expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
        /upstream_breaker_state\{service="search",upstream="amadeus"\} 1/,
      );

      // Amadeus is fine again, but the breaker is open: the expired entry answers, stale, with no call.
      emulator.setFault(undefined);
      const calls = emulator.count('/v2/shopping/flight-offers');
      const stale = await guarded.graphql(flightQuery, { input }, traveler);
      expect(stale.body.errors).toBeUndefined();
      expect(stale.body.data.searchFlights.meta).toMatchObject({
        cached: true,
        stale: true,
        fetchedAt: fresh.body.data.searchFlights.meta.fetchedAt,
      });
      expect(stale.body.data.searchFlights.offers).toEqual(fresh.body.data.searchFlights.offers);
      expect(emulator.count('/v2/shopping/flight-offers')).toBe(calls);
    } finally {
      await guarded.close();
    }
  });
});
