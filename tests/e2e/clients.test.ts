/**
 * The client set-ups of docs/partners.md ("Clients"), each with the real library against the
 * real gateway over the real subgraphs: Apollo Client, urql and graphql-request, over POST, GET
 * and (where the library has them) automatic persisted queries. Every set-up sends the header
 * CSRF prevention needs; the refusals without it are checked too, so the docs say why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApolloClient,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
  gql as apolloGql,
} from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { cacheExchange, Client as UrqlClient, fetchExchange, gql as urqlGql } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { ClientError, GraphQLClient } from 'graphql-request';
import { auditServer } from 'graphql-http';
import { startTestSupergraph, type TestSupergraph } from './support.ts';

let supergraph: TestSupergraph;
let token: string;
let tripId: string;

/** What went over the wire: method, whether the document or only its hash travelled, status. */
interface Sent {
  method: string;
  document: boolean;
  hash: boolean;
  status: number;
  contentType: string | null;
}

/** The global fetch, recording each request a client library makes (the libraries take a fetch). */
function recordingFetch(sent: Sent[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.method === 'POST' ? await request.clone().text() : '';
    const response = await fetch(request);
    sent.push({
      method: request.method,
      document: url.searchParams.has('query') || /"query"\s*:/.test(body),
      hash: (url.searchParams.get('extensions') ?? body).includes('sha256Hash'),
      status: response.status,
      contentType: request.headers.get('content-type'),
    });
    return response;
  };
}

/** sha-256 in hex with the platform's WebCrypto (browsers and Node 20 have it). */
async function sha256(text: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

// The operations of the docs' examples. MyTripPlans is seven levels of syntax and five of
// nesting (a connection's edges and node do not count): inside the default depth limit of 6.
const myTripPlans = /* GraphQL */ `
  query MyTripPlans($first: Int = 5) {
    me {
      trips(first: $first) {
        edges {
          node {
            id
            title
            itinerarySuggestion {
              days {
                date
              }
            }
          }
        }
      }
    }
  }
`;
const destinations = /* GraphQL */ `
  query Destinations($first: Int = 3) {
    destinations(first: $first) {
      code
      name
    }
  }
`;

function expectPlans(data: any) {
  const trip = data.me.trips.edges.map((edge: any) => edge.node).find((node: any) => node.id === tripId);
  expect(trip.title).toBe('Lisbon long weekend');
  // 2027-05-14 to 2027-05-16: one planned day per day of the trip.
  expect(trip.itinerarySuggestion.days.map((day: any) => day.date)).toEqual([
    '2027-05-14',
    '2027-05-15',
    '2027-05-16',
  ]);
}

beforeAll(async () => {
  supergraph = await startTestSupergraph('clients', { services: ['trip', 'ai'] });
  token = await supergraph.token('TRAVELER', 'client-traveler');
  tripId = await supergraph.createTrip(token, {
    title: 'Lisbon long weekend',
    destinationCode: 'LIS',
    startDate: '2027-05-14',
    endDate: '2027-05-16',
    travelers: 2,
    budget: 'MIDRANGE',
    pace: 'MODERATE',
  });
});
afterAll(async () => {
  await supergraph?.close();
});

describe('Apollo Client', () => {
  const apollo = (
    sent: Sent[],
    options: { get?: boolean; persisted?: boolean; preflight?: boolean } = {},
  ) => {
    const http = new HttpLink({
      uri: supergraph.gatewayUrl,
      headers: {
        authorization: `Bearer ${token}`,
        ...(options.preflight === false ? {} : { 'apollo-require-preflight': 'true' }),
      },
      useGETForQueries: options.get,
      fetch: recordingFetch(sent),
    });
    const link = options.persisted
      ? new PersistedQueryLink({ sha256, useGETForHashedQueries: options.get }).concat(http)
      : http;
    return new ApolloClient({ cache: new InMemoryCache(), link });
  };

  it('queries over POST', async () => {
    const sent: Sent[] = [];
    const result = await apollo(sent).query({ query: apolloGql(myTripPlans) });
    expectPlans(result.data);
    expect(sent).toMatchObject([{ method: 'POST', document: true, hash: false, status: 200 }]);
  });

  it('queries over GET, where its content-type header already satisfies CSRF prevention', async () => {
    const sent: Sent[] = [];
    expectPlans((await apollo(sent, { get: true }).query({ query: apolloGql(myTripPlans) })).data);
    expect(sent).toMatchObject([{ method: 'GET', document: true, hash: false, status: 200 }]);
    // Apollo Client sends content-type: application/json on GET too, which no browser form can
    // send cross-site without a preflight; the docs still set the header, which costs nothing.
    const without: Sent[] = [];
    expectPlans(
      (await apollo(without, { get: true, preflight: false }).query({ query: apolloGql(myTripPlans) })).data,
    );
    expect(without).toMatchObject([{ method: 'GET', status: 200, contentType: 'application/json' }]);
  });

  it('sends automatic persisted queries over GET: the hash alone once the gateway knows it', async () => {
    const sent: Sent[] = [];
    const client = apollo(sent, { get: true, persisted: true });
    expectPlans((await client.query({ query: apolloGql(myTripPlans) })).data);
    // Unknown hash, then the hash with the document, which registers it.
    expect(sent).toMatchObject([
      { method: 'GET', document: false, hash: true, status: 200 },
      { method: 'GET', document: true, hash: true, status: 200 },
    ]);
    sent.length = 0;
    const again = apollo(sent, { get: true, persisted: true });
    expectPlans((await again.query({ query: apolloGql(myTripPlans) })).data);
    expect(sent).toMatchObject([{ method: 'GET', document: false, hash: true, status: 200 }]);
  });

  it('gets the coded error with the request id', async () => {
    const sent: Sent[] = [];
    const { error } = await apollo(sent).query({
      query: apolloGql('query Misspelled { destinations(first: 1) { nmae } }'),
      errorPolicy: 'all',
    });
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    const [first] = (error as CombinedGraphQLErrors).errors;
    expect(first!.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      requestId: expect.any(String),
    });
    // Apollo Client accepts application/graphql-response+json first: request errors are a 400.
    expect(sent[0]!.status).toBe(400);
  });
});

describe('urql', () => {
  // As docs/partners.md sets it up; `get` is urql's default (GET whenever the URL is short enough).
  const urql = (sent: Sent[], options: { get?: boolean; persisted?: boolean; preflight?: boolean } = {}) =>
    new UrqlClient({
      url: supergraph.gatewayUrl,
      preferGetMethod: options.get ? 'within-url-limit' : false,
      // Every query here is asked once per client, so urql's cache does not hide a request.
      requestPolicy: 'network-only',
      fetchOptions: {
        headers: {
          authorization: `Bearer ${token}`,
          ...(options.preflight === false ? {} : { 'apollo-require-preflight': 'true' }),
        },
      },
      fetch: recordingFetch(sent),
      exchanges: [
        cacheExchange,
        ...(options.persisted
          ? [persistedExchange({ preferGetForPersistedQueries: options.get ? 'within-url-limit' : false })]
          : []),
        fetchExchange,
      ],
    });

  it('queries over POST', async () => {
    const sent: Sent[] = [];
    const result = await urql(sent).query(urqlGql(myTripPlans), {}).toPromise();
    expect(result.error).toBeUndefined();
    expectPlans(result.data);
    expect(sent).toMatchObject([{ method: 'POST', document: true, hash: false, status: 200 }]);
  });

  it('queries over GET with the preflight header, and is refused without it', async () => {
    const sent: Sent[] = [];
    const result = await urql(sent, { get: true }).query(urqlGql(myTripPlans), {}).toPromise();
    expect(result.error).toBeUndefined();
    expectPlans(result.data);
    expect(sent).toMatchObject([{ method: 'GET', document: true, hash: false, status: 200 }]);

    const refused: Sent[] = [];
    const without = await urql(refused, { get: true, preflight: false })
      .query(urqlGql(destinations), {})
      .toPromise();
    expect(refused).toMatchObject([{ method: 'GET', document: true, hash: false, status: 400 }]);
    expect(without.error?.message).toMatch(/CSRF|preflight/i);
  });

  it('sends automatic persisted queries over GET', async () => {
    const sent: Sent[] = [];
    const first = await urql(sent, { get: true, persisted: true })
      .query(urqlGql(destinations), {})
      .toPromise();
    expect(first.error).toBeUndefined();
    expect(first.data.destinations).toHaveLength(3);
    expect(sent).toMatchObject([
      { method: 'GET', document: false, hash: true, status: 200 },
      { method: 'GET', document: true, hash: true, status: 200 },
    ]);
    sent.length = 0;
    const again = await urql(sent, { get: true, persisted: true })
      .query(urqlGql(destinations), {})
      .toPromise();
    expect(again.data.destinations).toEqual(first.data.destinations);
    expect(sent).toMatchObject([{ method: 'GET', document: false, hash: true, status: 200 }]);
  });

  it('gets the coded error with the request id', async () => {
    const result = await urql([])
      .query(urqlGql('query Misspelled { destinations(first: 1) { nmae } }'), {})
      .toPromise();
    expect(result.error?.graphQLErrors[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      requestId: expect.any(String),
    });
  });
});

describe('graphql-request', () => {
  const client = (sent: Sent[], options: { get?: boolean; preflight?: boolean } = {}) =>
    new GraphQLClient(supergraph.gatewayUrl, {
      method: options.get ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(options.preflight === false ? {} : { 'apollo-require-preflight': 'true' }),
      },
      fetch: recordingFetch(sent),
    });

  it('queries over POST', async () => {
    const sent: Sent[] = [];
    expectPlans(await client(sent).request(myTripPlans));
    expect(sent).toMatchObject([{ method: 'POST', document: true, hash: false, status: 200 }]);
  });

  it('queries over GET with the preflight header, and is refused without it', async () => {
    const sent: Sent[] = [];
    expectPlans(await client(sent, { get: true }).request(myTripPlans));
    expect(sent).toMatchObject([{ method: 'GET', document: true, hash: false, status: 200 }]);

    const refused: Sent[] = [];
    const error = await client(refused, { get: true, preflight: false })
      .request(destinations)
      .catch((caught: unknown) => caught);
    expect(refused).toMatchObject([{ method: 'GET', document: true, hash: false, status: 400 }]);
    expect(error).toBeInstanceOf(ClientError);
    expect(JSON.stringify((error as ClientError).response)).toMatch(/CSRF|preflight/i);
  });

  it('gets the coded error with the request id', async () => {
    const error = await client([])
      .request('query Misspelled { destinations(first: 1) { nmae } }')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).response.errors?.[0]?.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      requestId: expect.any(String),
    });
  });
});

describe('GraphQL over HTTP', () => {
  it('passes graphql-http’s server audit with no error and no warning', async () => {
    // Some audits query `__type`, which the gateway opens to partner keys and administrators
    // only (a policy, not the protocol): the audit runs as an administrator.
    const admin = await supergraph.token('ADMIN', 'audit-admin');
    const results = await auditServer({
      url: supergraph.gatewayUrl,
      fetchFn: (input: string | URL | Request, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${admin}`);
        return fetch(input, { ...init, headers });
      },
    });
    const failed = results.filter((result) => result.status === 'error' || result.status === 'warn');
    expect(
      failed.map((result) => `${result.id} ${result.name}: ${'reason' in result ? result.reason : ''}`),
    ).toEqual([]);
    // Every MUST and SHOULD the audit knows ran (a MAY it flags is a notice, not a warning).
    expect(results.filter((result) => result.status === 'ok').length).toBeGreaterThan(40);
  });

  // The three request errors the audit checks, as answered: status by media type, body alike.
  const requestErrors = {
    'a parse error': { body: { query: '{' }, code: 'GRAPHQL_PARSE_FAILED' },
    'a validation error': { body: { query: '{ notAField }' }, code: 'GRAPHQL_VALIDATION_FAILED' },
    'a variable of the wrong type': {
      body: {
        query: 'query ($first: Int) { destinations(first: $first) { code } }',
        variables: { first: 'x' },
      },
      code: 'BAD_USER_INPUT',
    },
  };
  for (const [name, { body, code }] of Object.entries(requestErrors)) {
    it(`answers ${name} 200 as application/json and 400 as application/graphql-response+json`, async () => {
      for (const [accept, status, contentType] of [
        ['application/json', 200, /^application\/json/],
        ['application/graphql-response+json', 400, /^application\/graphql-response\+json/],
      ] as const) {
        const requestId = `over-http-${code}-${status}`;
        const result = await supergraph.graphql(
          body.query,
          'variables' in body ? body.variables : undefined,
          {
            headers: { accept, 'x-request-id': requestId },
          },
        );
        expect(result.status, accept).toBe(status);
        expect(result.headers.get('content-type')).toMatch(contentType);
        expect(result.body.data).toBeUndefined();
        expect(result.body.errors?.[0]?.extensions).toMatchObject({ code, requestId });
      }
    });
  }
});
