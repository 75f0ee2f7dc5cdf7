/**
 * The edge in front of the real subgraphs: the shipped manifest's analytics operations answer
 * through /analytics (JSON and CSV), a key of every scope can call what its scope opens and is
 * refused, with the reason, what it does not, and the public schema carries no federation
 * internals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import {
  createApiKey,
  scopeOfRootField,
  scopes,
  TrustedDocuments,
  userOnlyRootFields,
  type Scope,
} from '@traveloure/gateway/edge/index';
import { startTestSupergraph, type TestSupergraph } from './support.ts';
import { gatewayDb } from './edge-fixture.ts';

let supergraph: TestSupergraph;
let origin: string;

beforeAll(async () => {
  supergraph = await startTestSupergraph('edge_supergraph', {
    services: ['trip', 'ai', 'search', 'notification'],
  });
  origin = supergraph.gatewayUrl.replace(/\/graphql$/, '');
});
afterAll(async () => {
  await supergraph?.close();
});

describe('the edge over the real subgraphs', () => {
  it('ships the analytics operations in the manifest', () => {
    const names = [...TrustedDocuments.load().byName.keys()];
    expect(names).toEqual(
      expect.arrayContaining(['DestinationPopularity', 'SearchDemand', 'NotificationStats']),
    );
  });

  it('runs every analytics operation for an analyst, as JSON and as CSV', async () => {
    const headers = { authorization: `Bearer ${await supergraph.token('ANALYST', 'analyst-edge')}` };
    // The header names the operation's fields whether or not any row came back.
    const csvHeaders = {
      DestinationPopularity:
        'destination.code,destination.name,destination.country,destination.region,tripCount,travelerCount',
      SearchDemand: 'destinationCode,searches,flightSearches,hotelSearches,travelers,lastSearchedAt',
      NotificationStats: 'day,channel,sent,failed,dead',
    };
    for (const [name, header] of Object.entries(csvHeaders)) {
      const json = await fetch(`${origin}/analytics/${name}?days=30`, { headers });
      const body = (await json.json()) as any;
      expect(json.status, JSON.stringify(body)).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(Array.isArray(Object.values(body.data)[0])).toBe(true);

      const csv = await fetch(`${origin}/analytics/${name}?days=30&format=csv`, { headers });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      const text = await csv.text();
      expect(text.split('\n')[0]).toBe(header);
      const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
      expect(rows.length).toBe((Object.values(body.data)[0] as unknown[]).length);
    }
  });

  it('serves the public Destinations operation over GET with the cache hints of the trip subgraph', async () => {
    const operation = TrustedDocuments.load().byName.get('Destinations')!;
    const url =
      `${supergraph.gatewayUrl}?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: operation.id } }))}` +
      `&variables=${encodeURIComponent(JSON.stringify({ first: 3 }))}`;
    const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    const body = (await response.json()) as any;
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.data.destinations).toHaveLength(3);
    expect(response.headers.get('cache-control')).toBe('max-age=3600, public');
    // The same operation for a signed-in caller may be held only by that caller's cache.
    const signedIn = await fetch(url, {
      headers: {
        'apollo-require-preflight': 'true',
        authorization: `Bearer ${await supergraph.token('TRAVELER', 'cache-user')}`,
      },
    });
    expect(signedIn.headers.get('cache-control')).toBe('max-age=3600, private');
  });

  it('lets an analytics key read the analytics fields, and no other key', async () => {
    const db = gatewayDb(supergraph.database.url);
    const { key: analyticsKey } = await createApiKey(db, {
      owner: 'Insights Partner',
      scopes: ['analytics'],
      rateLimit: 100,
    });
    const { key: searchKey } = await createApiKey(db, {
      owner: 'Search Partner',
      scopes: ['search'],
      rateLimit: 100,
    });
    await db.destroy();
    const query =
      '{ destinationPopularity(days: 30, first: 3) { tripCount } searchDemand(days: 7, first: 3) { searches } notificationStats(days: 7) { sent } }';
    const allowed = await supergraph.graphql(query, {}, { headers: { 'x-api-key': analyticsKey } });
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
    expect(allowed.body.errors).toBeUndefined();
    expect(Object.keys(allowed.body.data).sort()).toEqual([
      'destinationPopularity',
      'notificationStats',
      'searchDemand',
    ]);
    const refused = await supergraph.graphql(query, {}, { headers: { 'x-api-key': searchKey } });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lets a catalog key read destinations but not trips', async () => {
    const db = gatewayDb(supergraph.database.url);
    const { key } = await createApiKey(db, { owner: 'Catalog Partner', scopes: ['catalog'], rateLimit: 100 });
    await db.destroy();
    const destinations = await supergraph.graphql(
      '{ destinations(first: 2) { code name } }',
      {},
      { headers: { 'x-api-key': key } },
    );
    expect(destinations.status).toBe(200);
    expect(destinations.body.data.destinations).toHaveLength(2);
    const trips = await supergraph.graphql(
      '{ trips(first: 1) { totalCount } }',
      {},
      { headers: { 'x-api-key': key } },
    );
    expect(trips.status).toBe(403);
    expect(trips.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lets a key of every scope call what the scope opens, and refuses the rest with the reason', async () => {
    // One call per scope, each the scope's own root fields (Record<Scope, ...>: a new scope must
    // bring a working call here).
    const calls: Record<Scope, { query: string; variables?: Record<string, unknown> }> = {
      catalog: {
        query:
          '{ destinations(first: 2) { code } destination(code: "PAR") { name } experts(first: 1) { id } }',
      },
      search: {
        query:
          '{ searchFlights(input: { origin: "NYC", destination: "PAR", departureDate: "2027-05-01" }) { offers { id } } }',
      },
      ai: {
        query:
          'mutation ($input: PlanItineraryInput!) { planItinerary(input: $input) { suggestion { id source } userErrors { code } } }',
        variables: {
          input: {
            destinationCode: 'PAR',
            startDate: '2027-05-01',
            endDate: '2027-05-02',
            travelers: 1,
            budget: 'BUDGET',
            pace: 'RELAXED',
          },
        },
      },
      analytics: { query: '{ destinationPopularity(days: 30, first: 3) { tripCount } }' },
    };
    const db = gatewayDb(supergraph.database.url);
    const keys = {} as Record<Scope, string>;
    for (const scope of scopes) {
      keys[scope] = (
        await createApiKey(db, { owner: `${scope} partner`, scopes: [scope], rateLimit: 1000 })
      ).key;
    }
    await db.destroy();
    for (const scope of scopes) {
      const { query, variables } = calls[scope];
      const allowed = await supergraph.graphql(query, variables ?? {}, {
        headers: { 'x-api-key': keys[scope] },
      });
      expect(allowed.status, `${scope}: ${JSON.stringify(allowed.body)}`).toBe(200);
      expect(allowed.body.errors, scope).toBeUndefined();
      for (const value of Object.values(allowed.body.data)) expect(value, scope).not.toBeNull();
      // Every field the call reaches is one of this scope's.
      for (const field of Object.keys(allowed.body.data)) expect(scopeOfRootField[field], field).toBe(scope);

      // Another scope's call is refused before any subgraph runs, naming the scope it takes.
      const other = scopes[(scopes.indexOf(scope) + 1) % scopes.length]!;
      const refused = await supergraph.graphql(calls[other].query, calls[other].variables ?? {}, {
        headers: { 'x-api-key': keys[scope] },
      });
      expect(refused.status).toBe(403);
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        requestId: expect.any(String),
      });
      expect(refused.body.errors?.[0]?.message).toContain(`takes the ${other} scope`);
      expect(refused.body.data).toBeUndefined();
    }

    // A key reads back the suggestion it planned (suggestions belong to the key that asked).
    const planned = await supergraph.graphql(calls.ai.query, calls.ai.variables, {
      headers: { 'x-api-key': keys.ai },
    });
    const id = planned.body.data.planItinerary.suggestion.id;
    const readBack = await supergraph.graphql(
      'query ($id: ID!) { itinerarySuggestion(id: $id) { id } }',
      { id },
      {
        headers: { 'x-api-key': keys.ai },
      },
    );
    expect(readBack.body.data.itinerarySuggestion).toEqual({ id });
  });

  it('refuses user-only fields to a key holding every scope: FORBIDDEN saying a user token is needed', async () => {
    const db = gatewayDb(supergraph.database.url);
    const { key } = await createApiKey(db, { owner: 'All Scopes Ltd', scopes: [...scopes], rateLimit: 1000 });
    await db.destroy();
    const userOnly = {
      me: '{ me { id } }',
      user: '{ user(id: "someone") { id } }',
      trips: '{ trips(first: 1) { totalCount } }',
      createTrip:
        'mutation { createTrip(input: { title: "x", destinationCode: "PAR", startDate: "2027-05-01", endDate: "2027-05-02" }) { __typename } }',
      myConversations: '{ myConversations(first: 1) { __typename } }',
      markAllNotificationsRead: 'mutation { markAllNotificationsRead { __typename } }',
    };
    for (const [field, query] of Object.entries(userOnly)) {
      expect(userOnlyRootFields.has(field), field).toBe(true);
      const result = await supergraph.graphql(query, {}, { headers: { 'x-api-key': key } });
      expect(result.status, `${field}: ${JSON.stringify(result.body)}`).toBe(403);
      expect(result.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(result.body.errors?.[0]?.message).toMatch(
        new RegExp(`^${field} act for a signed-in person.*Authorization: Bearer`),
      );
    }
  });

  it('publishes the API schema without federation internals', async () => {
    const sdl = await (await fetch(`${origin}/schema.graphql`)).text();
    expect(sdl).toContain('type Trip');
    expect(sdl).toContain('destinationPopularity(');
    expect(sdl).not.toMatch(/join__|link__|@link|@key|_entities|_Service/);
    // Subgraph plumbing marked @inaccessible stays out of the public API.
    expect(sdl).not.toContain('CacheControlScope');
  });
});
