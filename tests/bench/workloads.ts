/**
 * What the bench asks, and how every answer is checked. A workload builds each request (which
 * traveler, which operation) and verifies each response body: a wrong or partial answer counts
 * as an error, so a target cannot look fast by failing.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rawBodyBytes } from './targets/raw-http-body.ts';

export type TargetName = 'P' | 'A' | 'H' | 'D' | 'M' | 'R';

export interface Traveler {
  userId: string;
  token: string;
  tripId: string;
  title: string;
  itemCount: number;
  /** The itinerary suggestion made for the trip while seeding, which the trip page reads back. */
  suggestionId: string;
  /** Signed identity header for calling the trip subgraph directly (D). */
  directHeaders: Record<string, string>;
}

export interface Seed {
  travelers: Traveler[];
  /** One traveler with 20 trips (3 items each), for trips(first: 20). */
  planner: Traveler & { tripCount: number };
  anonymousDirectHeaders: Record<string, string>;
}

export interface BuiltRequest {
  method: 'GET' | 'POST';
  /** Appended to the target's GraphQL path (a query string for GET). */
  query?: string;
  headers: Record<string, string>;
  body?: string;
}

/** Why a body is wrong, or undefined when it is right. */
export type Check = (status: number, body: string) => string | undefined;

export interface Workload {
  name: string;
  title: string;
  targets: TargetName[];
  connections: number;
  /** Each request and the check for its answer. */
  next(target: TargetName, seed: Seed): { request: BuiltRequest; check: Check };
}

/**
 * What the trip page shows: the trip (trip subgraph), its owner's unread count (notification),
 * hotel offers for its dates (search) and its saved itinerary suggestion (ai). The suggestion is
 * read back by id, as a page reopening a plan does: making one (Trip.itinerarySuggestion) is
 * limited to 20 a minute per traveler. Kept in trip-page.json, which the k6 script
 * (tests/load/trip-page.js) reads too.
 */
export const tripPageQuery = (
  JSON.parse(readFileSync(new URL('./trip-page.json', import.meta.url), 'utf8')) as { query: string }
).query;

export const tripsQuery = `{ trips(first: 20) { edges { node { title owner { name } destination { name } items { title } } } } }`;

/** The trusted document schema/operations/examples/Destinations.graphql, as the manifest holds it. */
export function destinationsDocument(manifest: { operations: { name: string; body: string; id: string }[] }) {
  const operation = manifest.operations.find((candidate) => candidate.name === 'Destinations');
  if (!operation) throw new Error('the persisted operations manifest has no Destinations operation');
  if (createHash('sha256').update(operation.body).digest('hex') !== operation.id) {
    throw new Error('Destinations: manifest id is not the sha256 of its body');
  }
  return operation;
}

const json = { 'content-type': 'application/json' };

/** A date `days` from today (UTC), as YYYY-MM-DD: searches accept dates up to about a year ahead. */
export function isoDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

function graphqlBody(status: number, body: string): { data?: any; problem?: string } {
  if (status !== 200) return { problem: `HTTP ${status}: ${body.slice(0, 200)}` };
  let parsed: any;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { problem: `not JSON: ${body.slice(0, 200)}` };
  }
  if (parsed.errors?.length) return { problem: `errors: ${JSON.stringify(parsed.errors).slice(0, 300)}` };
  if (!parsed.data) return { problem: 'no data' };
  return { data: parsed.data };
}

const checkRaw: Check = (status, body) =>
  status === 200 && body.length === rawBodyBytes ? undefined : `raw: HTTP ${status}, ${body.length} bytes`;

function checkTripPage(traveler: Traveler): Check {
  return (status, body) => {
    const { data, problem } = graphqlBody(status, body);
    if (problem) return problem;
    const trip = data.trip;
    if (trip?.id !== traveler.tripId) return `trip page: expected trip ${traveler.tripId}, got ${trip?.id}`;
    if (trip.owner?.id !== traveler.userId || trip.title !== traveler.title)
      return 'trip page: wrong owner or title';
    if (trip.items?.length !== traveler.itemCount) return `trip page: ${trip.items?.length} items`;
    // An empty list is a valid answer (nothing free those days); a failed search is an error.
    if (!Array.isArray(trip.hotelOffers?.offers) || !trip.hotelOffers.meta?.provider)
      return 'trip page: no hotel offers';
    const suggestion = data.itinerarySuggestion;
    if (suggestion?.id !== traveler.suggestionId || suggestion.days?.length !== trip.durationDays) {
      return 'trip page: wrong or incomplete suggestion';
    }
    if (typeof trip.owner.unreadNotificationCount !== 'number') return 'trip page: no unread count';
    return undefined;
  };
}

function checkTrips(planner: Seed['planner']): Check {
  return (status, body) => {
    const { data, problem } = graphqlBody(status, body);
    if (problem) return problem;
    const edges = data.trips?.edges;
    if (edges?.length !== planner.tripCount) return `trips: ${edges?.length} trips`;
    for (const { node } of edges) {
      if (node.owner?.name !== planner.userId || !node.destination?.name || node.items?.length !== 3) {
        return `trips: incomplete node ${JSON.stringify(node).slice(0, 200)}`;
      }
    }
    return undefined;
  };
}

const checkDestinations: Check = (status, body) => {
  const { data, problem } = graphqlBody(status, body);
  if (problem) return problem;
  const list = data.destinations;
  if (!Array.isArray(list) || list.length !== 20) return `destinations: ${list?.length} entries`;
  if (!list.every((entry: any) => entry.code && entry.name && entry.country && entry.timezone)) {
    return 'destinations: incomplete entry';
  }
  return undefined;
};

/** Round-robin over the travelers: with at most 50 connections no two requests in flight are alike. */
function rotation() {
  let next = 0;
  return <T>(list: T[]) => list[next++ % list.length]!;
}

const userHeaders = (target: TargetName, traveler: Traveler) =>
  target === 'D'
    ? { ...json, ...traveler.directHeaders }
    : { ...json, authorization: `Bearer ${traveler.token}` };

function tripPage(traveler: Traveler, target: TargetName) {
  return {
    request: {
      method: 'POST' as const,
      headers: userHeaders(target, traveler),
      body: JSON.stringify({
        query: tripPageQuery,
        variables: { id: traveler.tripId, suggestionId: traveler.suggestionId },
      }),
    },
    check: checkTripPage(traveler),
  };
}

const searchCities = ['PAR', 'LON', 'NYC', 'TYO'];

export function createWorkloads(options: {
  manifest: { operations: { name: string; body: string; id: string }[] };
  connections?: number;
}): Workload[] {
  const destinations = destinationsDocument(options.manifest);
  const variables = { first: 20 };
  const destinationsPostBody = JSON.stringify({ query: destinations.body, variables });
  const destinationsGetQuery =
    `?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: destinations.id } }))}` +
    `&variables=${encodeURIComponent(JSON.stringify(variables))}`;
  const connections = (fallback: number) => options.connections ?? fallback;
  const pick = rotation();
  return [
    {
      name: 'trip-page-50',
      title: 'Trip page, 50 distinct travelers (each their own trip; all four subgraphs)',
      targets: ['P', 'A', 'H'],
      connections: connections(50),
      next: (target, seed) => tripPage(pick(seed.travelers), target),
    },
    {
      name: 'trip-page-1',
      title: 'Trip page, one traveler (identical concurrent requests: the best case for merging)',
      targets: ['P', 'A', 'H'],
      connections: connections(50),
      next: (target, seed) => tripPage(seed.travelers[0]!, target),
    },
    {
      name: 'trips',
      title: 'trips(first: 20) with owner, destination, items (one traveler with 20 trips)',
      targets: ['P', 'A', 'H', 'D', 'M'],
      connections: connections(20),
      next: (target, seed) => ({
        request: {
          method: 'POST',
          headers: target === 'M' ? json : userHeaders(target, seed.planner),
          body: JSON.stringify({ query: tripsQuery }),
        },
        check: checkTrips(seed.planner),
      }),
    },
    {
      name: 'destinations-post',
      title: 'Anonymous destinations(first: 20), POST with the query text',
      targets: ['P', 'A', 'H', 'D', 'M', 'R'],
      connections: connections(20),
      next: (target, seed) => ({
        request: {
          method: 'POST',
          headers: target === 'D' ? { ...json, ...seed.anonymousDirectHeaders } : json,
          body: destinationsPostBody,
        },
        check: target === 'R' ? checkRaw : checkDestinations,
      }),
    },
    {
      name: 'destinations-get',
      title: 'Anonymous destinations(first: 20), GET persisted query (sha256 of the trusted document)',
      targets: ['P', 'A', 'H', 'R'],
      connections: connections(20),
      next: (target) => ({
        // CSRF prevention (Apollo Server, our edge) wants a preflight-forcing header on GET.
        request: {
          method: 'GET',
          query: destinationsGetQuery,
          headers: { 'apollo-require-preflight': 'true' },
        },
        check: target === 'R' ? checkRaw : checkDestinations,
      }),
    },
    {
      name: 'mixed',
      title: 'Mixed, 100 connections: 80% trip pages, 10% trip updates, 10% hotel or flight searches',
      targets: ['P', 'A', 'H'],
      connections: connections(100),
      next: mixed(pick),
    },
  ];
}

function mixed(pick: ReturnType<typeof rotation>): Workload['next'] {
  let counter = 0;
  return (target, seed) => {
    const slot = counter++ % 10;
    const traveler = pick(seed.travelers);
    if (slot < 8) return tripPage(traveler, target);
    if (slot === 8) {
      // A write the trip page then reads back (caches invalidated); the title stays the same
      // length so every later check still knows it.
      return {
        request: {
          method: 'POST',
          headers: userHeaders(target, traveler),
          body: JSON.stringify({
            query:
              'mutation ($id: ID!, $input: UpdateTripInput!) { updateTrip(id: $id, input: $input) { trip { id travelers } userErrors { code } } }',
            variables: { id: traveler.tripId, input: { travelers: 1 + (counter % 4) } },
          }),
        },
        check: (status, body) => {
          const { data, problem } = graphqlBody(status, body);
          if (problem) return problem;
          const payload = data.updateTrip;
          if (payload?.trip?.id !== traveler.tripId || payload.userErrors?.length) {
            return `updateTrip: ${JSON.stringify(payload).slice(0, 200)}`;
          }
          return undefined;
        },
      };
    }
    const city = searchCities[counter % searchCities.length]!;
    const day = 1 + (counter % 5);
    const checkIn = isoDay(30 + day);
    const checkOut = isoDay(33 + day);
    const flights = counter % 2 === 0;
    return {
      request: {
        method: 'POST',
        headers: userHeaders(target, traveler),
        body: JSON.stringify(
          flights
            ? {
                query:
                  'query ($input: FlightSearchInput!) { searchFlights(input: $input) { offers { id price { amount } } meta { provider } } }',
                variables: {
                  input: {
                    origin: 'NYC',
                    destination: city === 'NYC' ? 'LON' : city,
                    departureDate: checkIn,
                    returnDate: checkOut,
                    maxResults: 5,
                  },
                },
              }
            : {
                query:
                  'query ($input: HotelSearchInput!) { searchHotels(input: $input) { offers { id hotel { name } } meta { provider } } }',
                variables: { input: { cityCode: city, checkIn, checkOut, maxResults: 5 } },
              },
        ),
      },
      check: (status, body) => {
        const { data, problem } = graphqlBody(status, body);
        if (problem) return problem;
        const result = data.searchFlights ?? data.searchHotels;
        return Array.isArray(result?.offers) && result.meta?.provider ? undefined : 'search: no offers';
      },
    };
  };
}
