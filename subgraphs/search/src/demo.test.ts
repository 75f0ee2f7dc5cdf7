import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flightQuery, hotelQuery, startSubgraphForTest, type SubgraphForTest } from './test-support.ts';
import { createDemoProvider } from './providers/demo.ts';
import { flightSearchInput } from './flights/flights.input.ts';
import { addDays, parseSearchInput, todayUtc } from './search/search.input.ts';

let search: SubgraphForTest;
/** The signed-in caller of these searches. */
const traveler = { id: 'traveler-1' };
const inDays = (days: number) => addDays(todayUtc(), days);

beforeAll(async () => {
  // No Amadeus credentials and no Redis: the embedded default's provider and L1-only cache.
  search = await startSubgraphForTest('demo', {});
});

afterAll(async () => {
  await search?.close();
});

describe('demo provider', () => {
  it('answers deterministic offers marked provider "demo"', async () => {
    const input = {
      origin: 'NYC',
      destination: 'PAR',
      departureDate: inDays(20),
      returnDate: inDays(25),
      adults: 2,
      maxResults: 5,
    };
    const response = await search.graphql(flightQuery, { input }, traveler);
    expect(response.body.errors).toBeUndefined();
    const result = response.body.data.searchFlights;
    expect(result.meta).toMatchObject({ provider: 'demo', stale: false });
    expect(result.offers).toHaveLength(5);
    expect(
      result.offers.every((offer: { validatingCarrier: string }) => offer.validatingCarrier === 'ZZ'),
    ).toBe(true);

    const again = await createDemoProvider().searchFlights(parseSearchInput(flightSearchInput(), input));
    expect(again.map((offer) => offer.price)).toEqual(
      result.offers.map((offer: { price: unknown }) => offer.price),
    );
  });

  it('hotels too, and a different search gives different offers', async () => {
    const first = await search.graphql(
      hotelQuery,
      {
        input: { cityCode: 'LON', checkIn: inDays(10), checkOut: inDays(12) },
      },
      traveler,
    );
    const second = await search.graphql(
      hotelQuery,
      {
        input: { cityCode: 'LON', checkIn: inDays(11), checkOut: inDays(14) },
      },
      traveler,
    );
    expect(first.body.data.searchHotels.meta.provider).toBe('demo');
    expect(first.body.data.searchHotels.offers[0].hotel.name).toMatch(/^Demo /);
    expect(
      second.body.data.searchHotels.offers.map((offer: { price: { amount: string } }) => offer.price.amount),
    ).not.toEqual(
      first.body.data.searchHotels.offers.map((offer: { price: { amount: string } }) => offer.price.amount),
    );
  });

  it('validates input the same way', async () => {
    const response = await search.graphql(
      hotelQuery,
      {
        input: { cityCode: 'LONDON', checkIn: '2026-02-30', checkOut: inDays(12) },
      },
      traveler,
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
