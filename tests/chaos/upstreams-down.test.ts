/**
 * Amadeus and the LLM fail every call (HTTP 500): once their breakers open, searches answer from
 * the stale cache (or a fast UPSTREAM_UNAVAILABLE with nothing cached) and suggestions from the
 * built-in planner, without waiting on the dead upstreams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAmadeusEmulator, type AmadeusEmulator } from '@traveloure/testing';
import { startOpenAiEmulator, type OpenAiEmulator } from '@traveloure/testing';
import { inDays, percentile, reportFigures, sleep, startChaosStackOnOwnServers, waitFor } from './support.ts';

const SEARCH = `query ($input: FlightSearchInput!) {
  searchFlights(input: $input) { offers { id } meta { provider cached stale } }
}`;
const PLAN = `mutation ($input: PlanItineraryInput!) {
  planItinerary(input: $input) { suggestion { source days { date } } userErrors { code } }
}`;
const REQUESTS_WHILE_OPEN = 40;
const P95_BUDGET_MS = 100;

let amadeus: AmadeusEmulator;
let llm: OpenAiEmulator;
let stack: Awaited<ReturnType<typeof startChaosStackOnOwnServers>>;

beforeAll(async () => {
  [amadeus, llm] = await Promise.all([
    startAmadeusEmulator(),
    startOpenAiEmulator({ apiKey: 'chaos-llm-key' }),
  ]);
  stack = await startChaosStackOnOwnServers('chaos_upstreams', {
    services: ['trip', 'ai', 'search'],
    env: {
      AMADEUS_CLIENT_ID: amadeus.clientId,
      AMADEUS_CLIENT_SECRET: amadeus.clientSecret,
      AMADEUS_HOST: amadeus.url,
      AMADEUS_RETRY_BASE_MS: '1',
      AMADEUS_RETRY_MAX_MS: '5',
      AMADEUS_BREAKER_MIN_CALLS: '5',
      // Open for the whole test: no trial call lands in the measured window.
      AMADEUS_BREAKER_HALF_OPEN_MS: '120000',
      // Fresh for a second, then only servable stale.
      SEARCH_CACHE_TTL_SECONDS: '1',
      SEARCH_L1_TTL_MS: '100',
      LLM_BASE_URL: llm.url,
      LLM_API_KEY: 'chaos-llm-key',
      LLM_MODEL: 'emulated-model',
      LLM_TIMEOUT_MS: '2000',
      LLM_MAX_ATTEMPTS: '1',
      LLM_BREAKER_MIN_CALLS: '5',
      LLM_BREAKER_HALF_OPEN_MS: '120000',
    },
  });
}, 90_000);

afterAll(async () => {
  await stack?.close();
  await Promise.all([amadeus?.close(), llm?.close()]);
});

/** Each service's port serves only its own series: Amadeus's breaker is search's, the LLM's ai's. */
const breakerStates = async () => {
  const scrape = async (service: 'search' | 'ai') =>
    (await fetch(stack.services[service]!.url.replace(/\/graphql$/, '/metrics'))).text();
  const [search, ai] = await Promise.all([scrape('search'), scrape('ai')]);
  const state = (metrics: string, upstream: string) =>
    Number(
      new RegExp(`^upstream_breaker_state\\{[^}]*upstream="${upstream}"[^}]*\\} (\\d+)`, 'm').exec(
        metrics,
      )?.[1],
    );
  return { amadeus: state(search, 'amadeus'), llm: state(ai, 'llm') };
};

describe('Amadeus and the LLM failing 100%', () => {
  it(
    'opens both breakers, then answers stale results and planner suggestions with p95 under 100 ms',
    { timeout: 90_000 },
    async () => {
      let user = 0;
      // planItinerary is limited per traveler; a fresh traveler per few calls keeps the limit out of it.
      const traveler = () => stack.token('TRAVELER', `chaos-upstreams-${user++}`);
      const flights = (destination: string, days = 30) => ({
        input: { origin: 'NYC', destination, departureDate: inDays(days) },
      });
      const plan = async (offset: number) =>
        stack.graphql(
          PLAN,
          {
            input: {
              destinationCode: 'ROM',
              startDate: inDays(40 + offset),
              endDate: inDays(42 + offset),
              travelers: 2,
              budget: 'MIDRANGE',
              pace: 'MODERATE',
            },
          },
          await traveler(),
        );

      // Healthy: a search cached, the LLM answering.
      const warm = await stack.graphql(SEARCH, flights('PAR'), await traveler());
      expect(warm.body.data?.searchFlights.meta).toEqual({
        provider: 'amadeus',
        cached: false,
        stale: false,
      });
      expect((await plan(0)).body.data?.planItinerary.suggestion.source).toBe('LLM');
      expect(await breakerStates()).toEqual({ amadeus: 0, llm: 0 });
      // The same search while everything is healthy: the figure the open-breaker ones are
      // read against (a loaded machine slows both alike).
      const healthy: number[] = [];
      for (let index = 0; index < REQUESTS_WHILE_OPEN; index++) {
        const cached = await stack.graphql(SEARCH, flights('PAR'), await traveler());
        // Fresh for a second only: some of these fetch again from the (healthy) emulator.
        expect(cached.body.errors).toBeUndefined();
        healthy.push(cached.ms);
      }
      await sleep(1_100);

      amadeus.setFault({ kind: 'status', status: 500 });
      llm.setMode('error');
      // Failures until both breakers open (bounded: a breaker that never opens fails the test).
      const destinations = ['LON', 'ROM', 'BCN', 'MAD', 'BER', 'AMS', 'LIS', 'VIE', 'PRG', 'DUB'];
      for (
        let attempt = 0;
        attempt < destinations.length && (await breakerStates()).amadeus !== 1;
        attempt++
      ) {
        const failed = await stack.graphql(SEARCH, flights(destinations[attempt]!, 31), await traveler());
        expect(failed.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      }
      for (let attempt = 1; attempt <= 10 && (await breakerStates()).llm !== 1; attempt++) {
        expect((await plan(attempt)).body.data?.planItinerary.suggestion.source).toBe('PLANNER');
      }
      expect(await breakerStates()).toEqual({ amadeus: 1, llm: 1 });
      const readiness = await stack.ready(stack.services.search!.url);
      expect(readiness.status).toBe(200);
      expect(readiness.body.checks['upstream:amadeus']?.status).toBe('degraded');
      const aiReadiness = await stack.ready(stack.services.ai!.url);
      expect(aiReadiness.status).toBe(200);
      expect(aiReadiness.body.checks['upstream:llm']?.status).toBe('degraded');

      // While open: nothing reaches the upstreams, every answer is a fallback, and fast.
      const amadeusCalls = amadeus.count('/v2') + amadeus.count('/v1/reference') + amadeus.count('/v3');
      const llmCalls = llm.requests.length;
      const stale: number[] = [];
      const unavailable: number[] = [];
      const planner: number[] = [];
      for (let index = 0; index < REQUESTS_WHILE_OPEN; index++) {
        const cached = await stack.graphql(SEARCH, flights('PAR'), await traveler());
        expect(cached.body.errors).toBeUndefined();
        expect(cached.body.data?.searchFlights.meta).toEqual({
          provider: 'amadeus',
          cached: true,
          stale: true,
        });
        expect(cached.body.data?.searchFlights.offers.length).toBeGreaterThan(0);
        stale.push(cached.ms);

        const uncached = await stack.graphql(SEARCH, flights('NCE', 50 + index), await traveler());
        expect(uncached.body.errors?.map((error) => [error.extensions?.code, error.path])).toEqual([
          ['UPSTREAM_UNAVAILABLE', ['searchFlights']],
        ]);
        expect(uncached.body.errors?.[0]?.extensions?.requestId).toEqual(expect.any(String));
        unavailable.push(uncached.ms);

        const suggested = await plan(20 + index);
        expect(suggested.body.errors).toBeUndefined();
        expect(suggested.body.data?.planItinerary.suggestion.source).toBe('PLANNER');
        expect(suggested.body.data?.planItinerary.suggestion.days).toHaveLength(3);
        planner.push(suggested.ms);
      }
      expect(amadeus.count('/v2') + amadeus.count('/v1/reference') + amadeus.count('/v3')).toBe(amadeusCalls);
      expect(llm.requests.length).toBe(llmCalls);

      const figures = {
        requestsEach: REQUESTS_WHILE_OPEN,
        healthySearchP95Ms: Math.round(percentile(healthy, 95)),
        staleP95Ms: Math.round(percentile(stale, 95)),
        unavailableP95Ms: Math.round(percentile(unavailable, 95)),
        plannerP95Ms: Math.round(percentile(planner, 95)),
      };
      reportFigures('upstreams-down', figures);
      expect(figures.staleP95Ms).toBeLessThan(P95_BUDGET_MS);
      expect(figures.unavailableP95Ms).toBeLessThan(P95_BUDGET_MS);
      expect(figures.plannerP95Ms).toBeLessThan(P95_BUDGET_MS);
      await waitFor(async () => (await stack.ready()).status === 200, 'the gateway to stay ready', 5_000);
    },
  );
});
