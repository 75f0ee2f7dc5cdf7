/* global __ENV, __VU, open -- k6 globals */
// k6 load test of the trip page through the gateway, for people who have k6 (it is not a
// dependency of this repository; `npm run bench` is the side-by-side benchmark).
//
//   k6 run -e GATEWAY_URL=http://localhost:4000/graphql -e JWT_SECRET=... tests/load/trip-page.js
//
// setup() signs 50 travelers in (HS256 user tokens, as `npm run token` mints them with the
// gateway's JWT_SECRET) and creates each one's trip with three items through the API; every
// virtual user then loads its own traveler's trip page. Thresholds: p(95) < 500 ms, errors < 1%.
import http from 'k6/http';
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import { check } from 'k6';
import { Rate } from 'k6/metrics';

const GATEWAY_URL = __ENV.GATEWAY_URL || 'http://localhost:4000/graphql';
const JWT_SECRET = __ENV.JWT_SECRET || 'development-only-jwt-secret-change-me-0123456789';
const TRAVELERS = Number(__ENV.TRAVELERS || 50);

export const errors = new Rate('errors');

export const options = {
  scenarios: {
    trip_page: {
      executor: 'constant-vus',
      vus: Number(__ENV.VUS || TRAVELERS),
      duration: __ENV.DURATION || '1m',
    },
  },
  thresholds: {
    http_req_duration: ['p(95)<500'],
    errors: ['rate<0.01'],
  },
};

// The bench's trip page (tests/bench/workloads.ts), read from the file both share. The saved
// suggestion is read back by id: making one is limited to 20 a minute per traveler.
const TRIP_PAGE = JSON.parse(open('../bench/trip-page.json')).query;

function base64url(text) {
  return encoding.b64encode(text, 'rawurl');
}

function userToken(userId) {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      sub: userId,
      roles: ['TRAVELER'],
      name: userId,
      email: `${userId}@example.com`,
      region: 'US_EAST',
      iss: 'traveloure',
      aud: 'traveloure-api',
      iat: now,
      exp: now + 12 * 3600,
    }),
  );
  const signature = crypto.hmac('sha256', JWT_SECRET, `${header}.${payload}`, 'base64rawurl');
  return `${header}.${payload}.${signature}`;
}

function graphql(token, query, variables) {
  return http.post(GATEWAY_URL, JSON.stringify({ query, variables }), {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });
}

function isoDay(days) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

export function setup() {
  const travelers = [];
  const run = Date.now().toString(36);
  for (let index = 0; index < TRAVELERS; index++) {
    const userId = `k6-traveler-${run}-${index + 1}`;
    const token = userToken(userId);
    const created = graphql(
      token,
      'mutation ($input: CreateTripInput!) { createTrip(input: $input) { trip { id } userErrors { code message } } }',
      {
        input: {
          title: `Trip of ${userId}`,
          destinationCode: ['PAR', 'LON', 'NYC', 'TYO'][index % 4],
          startDate: isoDay(60),
          endDate: isoDay(63),
          travelers: 2,
        },
      },
    );
    const tripId = created.json('data.createTrip.trip.id');
    if (!tripId) throw new Error(`createTrip failed: ${created.body}`);
    for (let item = 0; item < 3; item++) {
      graphql(
        token,
        'mutation ($tripId: ID!, $input: ItineraryItemInput!) { addItineraryItem(tripId: $tripId, input: $input) { userErrors { code } } }',
        {
          tripId,
          input: { kind: 'ACTIVITY', title: `Item ${item + 1}`, startTime: `${isoDay(60 + item)}T10:00:00Z` },
        },
      );
    }
    const suggested = graphql(token, 'query ($id: ID!) { trip(id: $id) { itinerarySuggestion { id } } }', {
      id: tripId,
    });
    travelers.push({ token, tripId, suggestionId: suggested.json('data.trip.itinerarySuggestion.id') });
  }
  return { travelers };
}

export default function (data) {
  // Each virtual user is one traveler: no two concurrent requests are alike.
  const traveler = data.travelers[(__VU - 1) % data.travelers.length];
  const response = graphql(traveler.token, TRIP_PAGE, {
    id: traveler.tripId,
    suggestionId: traveler.suggestionId,
  });
  const ok = check(response, {
    'status 200': (r) => r.status === 200,
    'no errors': (r) => !r.json('errors'),
    'the traveler’s trip': (r) => r.json('data.trip.id') === traveler.tripId,
    'three items': (r) => (r.json('data.trip.items') || []).length === 3,
    'its suggestion': (r) => r.json('data.itinerarySuggestion.id') === traveler.suggestionId,
  });
  errors.add(!ok);
}
