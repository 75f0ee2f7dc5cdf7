/**
 * Search end to end: a client asks the gateway for a trip's flight offers; the gateway gets the
 * trip from the trip subgraph and the offers from the search subgraph (@requires), which calls
 * the Amadeus emulator through its cache. Real PostgreSQL and a private Redis underneath.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAmadeusEmulator, type AmadeusEmulator } from '@traveloure/testing';
import { startTestSupergraph, type TestSupergraph } from './support.ts';

const today = new Date().toISOString().slice(0, 10);
const inDays = (days: number) =>
  new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const TRIP_FLIGHTS = `query ($id: ID!) {
  trip(id: $id) {
    title
    flightOffers(origin: "NYC") { offers { price { amount currency } } meta { provider cached stale } }
  }
}`;
const TRIP_HOTELS = `query ($id: ID!) {
  trip(id: $id) { hotelOffers(adults: 2, maxResults: 3) { offers { hotel { name cityCode } checkIn checkOut } meta { provider cached } } }
}`;
const SEARCH = `query ($input: FlightSearchInput!) {
  searchFlights(input: $input) { offers { id } meta { provider cached stale } }
}`;

let emulator: AmadeusEmulator;
let graph: TestSupergraph;
let traveler: string;
let tripId: string;

beforeAll(async () => {
  emulator = await startAmadeusEmulator();
  graph = await startTestSupergraph('search', {
    services: ['trip', 'search'],
    env: {
      TRIP_POPULARITY_REFRESH_MS: '0',
      SEARCH_WARM_INTERVAL_MS: '0',
      AMADEUS_CLIENT_ID: emulator.clientId,
      AMADEUS_CLIENT_SECRET: emulator.clientSecret,
      AMADEUS_HOST: emulator.url,
      AMADEUS_RETRY_BASE_MS: '1',
      AMADEUS_RETRY_MAX_MS: '10',
    },
  });
  traveler = await graph.token('TRAVELER', 'e2e-search-traveler', { region: 'EU_WEST', name: 'Sam' });
  tripId = await graph.createTrip(traveler, {
    title: 'Paris in spring',
    destinationCode: 'PAR',
    startDate: inDays(60),
    endDate: inDays(65),
  });
});

beforeEach(() => emulator.reset());

afterAll(async () => {
  await graph?.close();
  await emulator?.close();
});

describe('search through the gateway', () => {
  it('trip(id) { flightOffers(origin: "NYC") } searches from the trip’s destination and dates, then caches', async () => {
    const first = await graph.graphql(TRIP_FLIGHTS, { id: tripId }, { token: traveler });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.trip.title).toBe('Paris in spring');
    const offers = first.body.data.trip.flightOffers;
    expect(offers.offers.length).toBeGreaterThan(0);
    expect(offers.offers[0].price.currency).toMatch(/^[A-Z]{3}$/);
    expect(offers.meta).toEqual({ provider: 'amadeus', cached: false, stale: false });
    const request = emulator.requests.find((entry) => entry.path === '/v2/shopping/flight-offers');
    expect(request?.query).toMatchObject({
      originLocationCode: 'NYC',
      destinationLocationCode: 'PAR',
      departureDate: inDays(60),
      returnDate: inDays(65),
    });

    const second = await graph.graphql(TRIP_FLIGHTS, { id: tripId }, { token: traveler });
    expect(second.body.data.trip.flightOffers.meta).toEqual({
      provider: 'amadeus',
      cached: true,
      stale: false,
    });
    expect(second.body.data.trip.flightOffers.offers).toEqual(offers.offers);
    expect(emulator.count('/v2/shopping/flight-offers')).toBe(1);
  });

  it('trip hotel offers span the stay', async () => {
    const result = await graph.graphql(TRIP_HOTELS, { id: tripId }, { token: traveler });
    expect(result.body.errors).toBeUndefined();
    const hotels = result.body.data.trip.hotelOffers;
    expect(hotels.offers.length).toBeGreaterThan(0);
    expect(hotels.offers.length).toBeLessThanOrEqual(3);
    expect(hotels.offers[0]).toMatchObject({
      checkIn: inDays(60),
      checkOut: inDays(65),
      hotel: { cityCode: 'PAR' },
    });
  });

  it('an Amadeus outage is UPSTREAM_UNAVAILABLE with the request id, never a stack trace', async () => {
    emulator.setFault({ kind: 'status', status: 500 });
    const result = await graph.graphql(
      SEARCH,
      { input: { origin: 'NYC', destination: 'TYO', departureDate: inDays(30) } },
      { token: traveler },
    );
    emulator.setFault(undefined);
    const error = result.body.errors?.[0];
    expect(error?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error?.extensions?.requestId).toBeTruthy();
    expect(JSON.stringify(result.body)).not.toMatch(/\.ts:\d+|SYSTEM ERROR/);
  });

  it('bad search input is BAD_USER_INPUT naming the field', async () => {
    const result = await graph.graphql(
      SEARCH,
      { input: { origin: 'NYC', destination: 'PAR', departureDate: inDays(-2) } },
      { token: traveler },
    );
    expect(result.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: ['input', 'departureDate'],
    });
  });

  it('a date that is no calendar day, written inline, is BAD_USER_INPUT with the request id', async () => {
    const result = await graph.graphql(
      '{ searchFlights(input: { origin: "NYC", destination: "PAR", departureDate: "2027-13-45" }) { offers { id } } }',
      {},
      { token: traveler, headers: { 'x-request-id': 'inline-bad-date-1' } },
    );
    expect(result.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      requestId: 'inline-bad-date-1',
    });
    expect(result.body.errors?.[0]?.message).toContain('2027-13-45');
  });
});
