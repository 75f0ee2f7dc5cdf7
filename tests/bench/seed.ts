/**
 * The bench's data, made through the API as clients make it: 50 travelers each with their own
 * trip of three items and an itinerary suggestion, and one planner with 20 trips (for trips(first: 20)). Tokens are minted
 * with the gateway's own mintToken; the direct (D) headers carry the same identity claims.
 */
import { mintToken } from '@traveloure/gateway';
import { directHeaders } from './targets/identity.ts';
import { isoDay, type Seed, type Traveler } from './workloads.ts';

export const travelerCount = 50;
const destinationCodes = ['PAR', 'LON', 'NYC', 'TYO'];
const itemTitles = ['Museum morning', 'Market lunch', 'Evening walk'];

export async function gql(url: string, token: string, query: string, variables: object) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (response.status !== 200 || body.errors?.length) {
    throw new Error(`seed: HTTP ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
  return body.data;
}

export async function createTripWithItems(
  url: string,
  token: string,
  title: string,
  destinationCode: string,
) {
  const created = await gql(
    url,
    token,
    'mutation ($input: CreateTripInput!) { createTrip(input: $input) { trip { id } userErrors { code message } } }',
    {
      input: {
        title,
        destinationCode,
        startDate: isoDay(60),
        endDate: isoDay(63),
        travelers: 2,
        budget: 'MIDRANGE',
        pace: 'MODERATE',
      },
    },
  );
  const tripId = created.createTrip.trip?.id as string | undefined;
  if (!tripId) throw new Error(`seed: createTrip ${JSON.stringify(created.createTrip.userErrors)}`);
  for (const [index, itemTitle] of itemTitles.entries()) {
    const added = await gql(
      url,
      token,
      'mutation ($tripId: ID!, $input: ItineraryItemInput!) { addItineraryItem(tripId: $tripId, input: $input) { userErrors { code message } } }',
      { tripId, input: { kind: 'ACTIVITY', title: itemTitle, startTime: `${isoDay(60 + index)}T10:00:00Z` } },
    );
    if (added.addItineraryItem.userErrors.length) throw new Error(`seed: ${JSON.stringify(added)}`);
  }
  return tripId;
}

export async function person(userId: string, secrets: { jwtSecret: string; signingSecret: string }) {
  const claims = { name: userId, email: `${userId}@example.com`, region: 'US_EAST' as const };
  return {
    userId,
    token: await mintToken({
      role: 'TRAVELER',
      userId,
      secret: secrets.jwtSecret,
      expiresIn: '24h',
      ...claims,
    }),
    directHeaders: await directHeaders('trip', secrets.signingSecret, { id: userId, ...claims }),
  };
}

export async function seedThroughApi(
  gatewayUrl: string,
  secrets: { jwtSecret: string; signingSecret: string },
): Promise<Seed> {
  const travelers: Traveler[] = [];
  // Ten at a time: quick, and gentle with a shared machine.
  for (let batch = 0; batch < travelerCount; batch += 10) {
    const made = await Promise.all(
      Array.from({ length: Math.min(10, travelerCount - batch) }, async (_, offset) => {
        const index = batch + offset;
        const who = await person(`bench-traveler-${String(index + 1).padStart(2, '0')}`, secrets);
        const title = `Trip of ${who.userId}`;
        const tripId = await createTripWithItems(gatewayUrl, who.token, title, destinationCodes[index % 4]!);
        const suggested = await gql(
          gatewayUrl,
          who.token,
          'query ($id: ID!) { trip(id: $id) { itinerarySuggestion { id } } }',
          { id: tripId },
        );
        const suggestionId = suggested.trip.itinerarySuggestion.id as string;
        return { ...who, tripId, title, itemCount: itemTitles.length, suggestionId };
      }),
    );
    travelers.push(...made);
  }
  const planner = await person('bench-planner', secrets);
  const plannerTrips = await Promise.all(
    Array.from({ length: 20 }, (_, index) =>
      createTripWithItems(
        gatewayUrl,
        planner.token,
        `Planner trip ${index + 1}`,
        destinationCodes[index % 4]!,
      ),
    ),
  );
  return {
    travelers,
    planner: {
      ...planner,
      tripId: plannerTrips[0]!,
      title: 'Planner trip 1',
      itemCount: 3,
      suggestionId: '',
      tripCount: 20,
    },
    anonymousDirectHeaders: await directHeaders('trip', secrets.signingSecret),
  };
}
