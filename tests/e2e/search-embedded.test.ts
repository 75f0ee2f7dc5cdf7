/**
 * Search in the embedded default (no DATABASE_URL, no REDIS_URL, no Amadeus keys): through the
 * gateway, offers come from the demo provider and say so, the in-process cache answers repeats,
 * and the search log lives in PGlite's `search` schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedSupergraph } from './support.ts';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const SEARCH = `query ($input: FlightSearchInput!) {
  searchFlights(input: $input) { offers { id price { amount currency } validatingCarrier } meta { provider cached stale } }
}`;
const TRIP_OFFERS = `query ($id: ID!) {
  trip(id: $id) {
    flightOffers(origin: "NYC") { offers { price { amount currency } } meta { provider cached stale } }
    hotelOffers(maxResults: 2) { offers { hotel { name cityCode } roomDescription } meta { provider } }
  }
}`;

describe('search in embedded mode (PGlite, in-process cache, demo provider)', () => {
  let supergraph: Awaited<ReturnType<typeof startEmbeddedSupergraph>>;
  beforeAll(async () => {
    supergraph = await startEmbeddedSupergraph('search-embedded', ['trip', 'search'], {
      TRIP_POPULARITY_REFRESH_MS: '0',
      SEARCH_WARM_INTERVAL_MS: '0',
    });
  }, 120_000);
  afterAll(async () => {
    await supergraph?.close();
  });

  const call = async (
    role: 'TRAVELER' | 'ANALYST',
    query: string,
    variables: Record<string, unknown> = {},
  ) => {
    const token = await supergraph.token(role, `search-embedded-${role.toLowerCase()}`, {
      region: 'EU_WEST',
    });
    return (await supergraph.graphql(query, variables, { token })).body;
  };

  it('searches answer from the demo provider, marked so, and repeats from the cache', async () => {
    const input = { origin: 'NYC', destination: 'PAR', departureDate: inDays(30), maxResults: 3 };
    const first = await call('TRAVELER', SEARCH, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data.searchFlights.meta).toEqual({ provider: 'demo', cached: false, stale: false });
    expect(first.data.searchFlights.offers).toHaveLength(3);
    expect(
      first.data.searchFlights.offers.every(
        (offer: { validatingCarrier: string }) => offer.validatingCarrier === 'ZZ',
      ),
    ).toBe(true);
    const again = await call('TRAVELER', SEARCH, { input: { ...input, origin: 'nyc' } });
    expect(again.data.searchFlights.meta).toEqual({ provider: 'demo', cached: true, stale: false });
    expect(again.data.searchFlights.offers).toEqual(first.data.searchFlights.offers);
  });

  it('a trip’s flight and hotel offers come from the demo provider too', async () => {
    const created = await call(
      'TRAVELER',
      `mutation ($input: CreateTripInput!) { createTrip(input: $input) { trip { id } userErrors { message } } }`,
      { input: { title: 'Rome', destinationCode: 'ROM', startDate: inDays(40), endDate: inDays(44) } },
    );
    expect(created.data.createTrip.userErrors).toEqual([]);
    const offers = await call('TRAVELER', TRIP_OFFERS, { id: created.data.createTrip.trip.id });
    expect(offers.errors).toBeUndefined();
    expect(offers.data.trip.flightOffers.meta).toEqual({ provider: 'demo', cached: false, stale: false });
    expect(offers.data.trip.flightOffers.offers.length).toBeGreaterThan(0);
    expect(offers.data.trip.hotelOffers.meta.provider).toBe('demo');
    expect(offers.data.trip.hotelOffers.offers).toHaveLength(2);
    expect(offers.data.trip.hotelOffers.offers[0]).toMatchObject({
      hotel: { cityCode: 'ROM' },
      roomDescription: expect.stringMatching(/not bookable/),
    });
  });

  it('the search log feeds searchDemand for analysts', async () => {
    const demand = await call(
      'ANALYST',
      `{ searchDemand(days: 1, first: 10) { destinationCode searches flightSearches hotelSearches } }`,
    );
    expect(demand.errors).toBeUndefined();
    const byCode = Object.fromEntries(
      demand.data.searchDemand.map((row: { destinationCode: string }) => [row.destinationCode, row]),
    );
    expect(byCode.PAR).toMatchObject({ searches: 2, flightSearches: 2, hotelSearches: 0 });
    expect(byCode.ROM).toMatchObject({ searches: 2, flightSearches: 1, hotelSearches: 1 });
  });
});
