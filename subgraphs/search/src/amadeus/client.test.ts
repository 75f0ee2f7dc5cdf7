import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { RateLimiterQueue } from 'rate-limiter-flexible';
import {
  createLogger,
  createRateLimiter,
  createUpstream,
  UpstreamError,
  UpstreamUnavailableError,
  type UpstreamOptions,
} from '@traveloure/platform';
import { startAmadeusEmulator, type AmadeusEmulator } from '@traveloure/testing';
import { addDays, todayUtc } from '../search/search.input.ts';
import { createAmadeusClient, type RequestThrottle } from './client.ts';
import { mapAmadeusError } from './errors.ts';
import { createAmadeusThrottle } from './throttle.ts';

const logger = createLogger('amadeus-test', { level: 'silent' });
let emulator: AmadeusEmulator;
let upstreams = 0;
const departureDate = addDays(todayUtc(), 30);
const flightParams = {
  originLocationCode: 'NYC',
  destinationLocationCode: 'PAR',
  departureDate,
  adults: 1,
  max: 5,
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function makeClient(overrides: Partial<UpstreamOptions> = {}, refreshMarginMs?: number) {
  const upstream = createUpstream({
    name: `amadeus-test-${++upstreams}`,
    logger,
    timeoutMs: 2_000,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 10 },
    ...overrides,
  });
  const client = createAmadeusClient({
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    baseUrl: emulator.url,
    logger,
    upstream,
    refreshMarginMs,
  });
  return { client, upstream };
}

beforeAll(async () => {
  emulator = await startAmadeusEmulator();
});

beforeEach(() => {
  emulator.reset();
  emulator.setTokenExpiresIn(1799);
});

afterAll(async () => {
  await emulator.close();
});

describe('Amadeus token', () => {
  it('is fetched by one request when a hundred calls need it at once', async () => {
    const { client } = makeClient();
    emulator.setTokenDelay(50);
    const before = emulator.tokensIssued();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        client.flightOffers({ ...flightParams, max: 1 + (index % 5) }),
      ),
    );
    expect(results).toHaveLength(100);
    expect(results.every((result) => result.data.length > 0)).toBe(true);
    expect(emulator.tokensIssued() - before).toBe(1);
    expect(emulator.count('/v1/security/oauth2/token')).toBe(1);
    expect(client.tokens.fetched).toBe(1);
  });

  it('is reused until shortly before it expires, then refreshed before any 401', async () => {
    emulator.setTokenExpiresIn(1);
    const { client } = makeClient();
    await client.flightOffers(flightParams);
    await client.flightOffers(flightParams);
    expect(emulator.count('/v1/security/oauth2/token')).toBe(1);
    // Refresh happens at half the lifetime for short-lived tokens (the margin never exceeds it).
    await sleep(600);
    await client.flightOffers(flightParams);
    expect(emulator.count('/v1/security/oauth2/token')).toBe(2);
    const unauthorized = emulator.requests.filter(
      (request) => request.path.startsWith('/v2') && !request.authorization,
    );
    expect(unauthorized).toHaveLength(0);
  });

  it('refreshes once and retries when Amadeus says the token expired (401, code 38192)', async () => {
    const { client } = makeClient();
    await client.flightOffers(flightParams);
    emulator.expireTokens();
    const result = await client.flightOffers(flightParams);
    expect(result.data.length).toBeGreaterThan(0);
    expect(emulator.count('/v1/security/oauth2/token')).toBe(2);
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(3);
  });

  it('one refresh serves every call that met the expired token at once', async () => {
    const { client } = makeClient();
    await client.flightOffers(flightParams);
    emulator.expireTokens();
    emulator.setTokenDelay(50);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        client.flightOffers({ ...flightParams, max: 1 + (index % 5) }),
      ),
    );
    expect(results.every((result) => result.data.length > 0)).toBe(true);
    expect(emulator.count('/v1/security/oauth2/token')).toBe(2);
  });

  it('a refused credential is UPSTREAM_UNAVAILABLE and is not retried', async () => {
    const upstream = createUpstream({
      name: 'amadeus-bad-key',
      logger,
      timeoutMs: 2_000,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    });
    const client = createAmadeusClient({
      clientId: 'wrong',
      clientSecret: 'wrong',
      baseUrl: emulator.url,
      logger,
      upstream,
    });
    const error = await client.flightOffers(flightParams).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(401);
    expect((error as UpstreamError).extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(emulator.count('/v1/security/oauth2/token')).toBe(1);
  });
});

describe('Amadeus failures', () => {
  it('backs off and retries on 429, then succeeds', async () => {
    const { client } = makeClient();
    emulator.failNext(2, { kind: 'status', status: 429, retryAfterSeconds: 0 });
    const result = await client.flightOffers(flightParams);
    expect(result.data.length).toBeGreaterThan(0);
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(3);

    // Still refused after every attempt: UPSTREAM_UNAVAILABLE, never the provider's text.
    emulator.reset();
    emulator.setFault({ kind: 'status', status: 429, retryAfterSeconds: 0 });
    const error = await client.flightOffers(flightParams).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect((error as UpstreamError).message).not.toMatch(/Too many requests/);
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(3);
  });

  it('retries 5xx, then fails with UPSTREAM_UNAVAILABLE', async () => {
    const { client } = makeClient();
    emulator.setFault({ kind: 'status', status: 500 });
    const error = await client.flightOffers(flightParams).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(500);
    expect((error as UpstreamError).retryable).toBe(true);
    expect((error as UpstreamError).extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(3);
  });

  it('retries network failures (nothing listening), then fails with UPSTREAM_UNAVAILABLE', async () => {
    const gone = await startAmadeusEmulator();
    await gone.close();
    let attempts = 0;
    const client = createAmadeusClient({
      clientId: gone.clientId,
      clientSecret: gone.clientSecret,
      baseUrl: gone.url,
      logger,
      upstream: createUpstream({
        name: `amadeus-gone-${++upstreams}`,
        logger,
        timeoutMs: 2_000,
        retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      }),
      fetch: (input, init) => {
        attempts++;
        return fetch(input, init);
      },
    });
    const error = await client.flightOffers(flightParams).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    expect((error as UpstreamError).retryable).toBe(true);
    expect(attempts).toBe(3);
  });

  it('maps a 400 to BAD_USER_INPUT naming our field, without retrying', async () => {
    const { client } = makeClient();
    const error = await client
      .flightOffers({ ...flightParams, originLocationCode: 'N1' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'origin'],
    });
    expect((error as GraphQLError).message).toMatch(/originLocationCode must be a 3-letter IATA code/);
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(1);
  });

  it('reads errors whose status and code are strings', async () => {
    const { client } = makeClient();
    const error = await client.hotelsByCity({ cityCode: 'P4' }).catch((caught: unknown) => caught);
    expect((error as GraphQLError).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'cityCode'],
    });
  });

  it('retries malformed JSON and slow answers (timeout)', async () => {
    const { client } = makeClient({ timeoutMs: 200 });
    emulator.failNext(1, { kind: 'malformed' });
    expect((await client.flightOffers(flightParams)).data.length).toBeGreaterThan(0);
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(2);

    emulator.reset();
    emulator.failNext(1, { kind: 'slow', delayMs: 1_000 });
    expect((await client.flightOffers(flightParams)).data.length).toBeGreaterThan(0);
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(2);
  });

  it('opens the breaker after the minimum failing calls, half-opens, then closes', async () => {
    const { client, upstream } = makeClient({
      retry: undefined,
      breaker: { failureRateThreshold: 0.5, minimumCalls: 4, windowMs: 10_000, halfOpenAfterMs: 100 },
    });
    emulator.setFault({ kind: 'status', status: 503 });
    for (let i = 0; i < 3; i++) await client.flightOffers(flightParams).catch(() => undefined);
    expect(upstream.state).toBe('closed');
    await client.flightOffers(flightParams).catch(() => undefined);
    expect(upstream.state).toBe('open');
    const calls = emulator.count('/v2/shopping/flight-offers');
    const refused = await client.flightOffers(flightParams).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(UpstreamUnavailableError);
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(calls);

    emulator.setFault(undefined);
    await sleep(150);
    expect((await client.flightOffers(flightParams)).data.length).toBeGreaterThan(0);
    expect(upstream.state).toBe('closed');
  });

  it('hotel search takes the two real steps', async () => {
    const { client } = makeClient();
    const hotels = await client.hotelsByCity({ cityCode: 'PAR' });
    expect(hotels.data.length).toBeGreaterThan(0);
    const offers = await client.hotelOffers({
      hotelIds: hotels.data.map((hotel) => hotel.hotelId),
      adults: 2,
      checkInDate: departureDate,
      checkOutDate: addDays(departureDate, 3),
    });
    expect(offers.data.length).toBeGreaterThan(0);
    expect(
      emulator.requests.find((request) => request.path === '/v3/shopping/hotel-offers')?.query.hotelIds,
    ).toContain(',');
  });
});

describe('client-side throttle', () => {
  it('keeps under the API rate that the emulator enforces', async () => {
    // The emulator answers 429 beyond 10 calls per second. A 5-per-second throttle can put at
    // most 10 calls in any second (two of its windows), so none may be refused.
    const strict = await startAmadeusEmulator({ rateLimitPerSecond: 10 });
    try {
      const make = (throttle?: RequestThrottle) =>
        createAmadeusClient({
          clientId: strict.clientId,
          clientSecret: strict.clientSecret,
          baseUrl: strict.url,
          logger,
          upstream: createUpstream({ name: `amadeus-throttle-${++upstreams}`, logger, timeoutMs: 5_000 }),
          throttle,
        });
      const calls = (client: ReturnType<typeof make>) =>
        Promise.allSettled(
          Array.from({ length: 15 }, (_, index) => client.flightOffers({ ...flightParams, max: index + 1 })),
        );

      const unthrottled = await calls(make());
      expect(unthrottled.filter((outcome) => outcome.status === 'rejected').length).toBeGreaterThan(0);

      await sleep(1_100); // let the emulator's window pass
      const throttle = new RateLimiterQueue(
        createRateLimiter({ keyPrefix: 'amadeus-throttle-test', points: 5, durationSeconds: 1 }),
      );
      const throttled = await calls(make(throttle));
      expect(throttled.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('the service throttle keeps to the API rate itself (10 TPS), with no 429 and no retry', async () => {
    // A plain 10-per-second window lets up to 20 calls into one second across its boundary;
    // the service's throttle paces calls as well, so 10 TPS holds against a 10 TPS API.
    const strict = await startAmadeusEmulator({ rateLimitPerSecond: 10 });
    try {
      const client = createAmadeusClient({
        clientId: strict.clientId,
        clientSecret: strict.clientSecret,
        baseUrl: strict.url,
        logger,
        upstream: createUpstream({ name: `amadeus-paced-${++upstreams}`, logger, timeoutMs: 5_000 }),
        throttle: createAmadeusThrottle({
          tps: 10,
          keyPrefix: `amadeus-paced-${upstreams}`,
          maxQueueSize: 100,
        }),
      });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 22 }, (_, index) => client.flightOffers({ ...flightParams, max: index + 1 })),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
      expect(strict.count('/v2/shopping/flight-offers')).toBe(22);
    } finally {
      await strict.close();
    }
  });
});

describe('mapAmadeusError', () => {
  it('maps statuses and codes given as numbers or strings', () => {
    const asStrings = mapAmadeusError(503, {
      errors: [{ status: '503', code: '141', title: 'SYSTEM ERROR HAS OCCURRED' }],
    });
    expect(asStrings).toBeInstanceOf(UpstreamError);
    expect((asStrings as UpstreamError).upstreamCode).toBe('141');
    expect((asStrings as UpstreamError).retryable).toBe(true);
    const tooMany = mapAmadeusError(
      429,
      { errors: [{ status: 429, code: 38194, title: 'Too many requests' }] },
      '2',
    );
    expect((tooMany as UpstreamError).retryAfterMs).toBe(2_000);
    const notFound = mapAmadeusError(404, { errors: [{ status: 404, code: 38196 }] });
    expect((notFound as UpstreamError).retryable).toBe(false);
    const noBody = mapAmadeusError(502, 'Bad Gateway');
    expect((noBody as UpstreamError).detail).toContain('HTTP 502');
  });
});
