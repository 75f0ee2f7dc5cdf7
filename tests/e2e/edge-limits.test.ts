import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type EdgeHarness } from './edge-fixture.ts';

let edge: EdgeHarness;

beforeAll(async () => {
  edge = await startEdge('edge_limits', { CORS_ORIGINS: 'https://app.traveloure.example' });
});
afterAll(async () => {
  await edge?.close();
});

const graphqlResponseJson = 'application/graphql-response+json';

/**
 * Posts as current clients do, accepting application/graphql-response+json, under which GraphQL
 * over HTTP has request errors answer 400; the last tests of 'operation limits' send
 * application/json, where they answer 200.
 */
const post = (body: unknown, headers: Record<string, string> = {}) =>
  edge.post(body, { accept: graphqlResponseJson, ...headers });

function expectLimit(result: { status: number; json: any }, limit: string, status = 400) {
  expect(result.status).toBe(status);
  const error = result.json.errors[0];
  expect(error.extensions.code).toBe('OPERATION_LIMIT_EXCEEDED');
  expect(error.extensions.limit).toBe(limit);
  expect(error.extensions.requestId).toEqual(expect.any(String));
  expect(result.json.data).toBeUndefined();
}

describe('operation limits', () => {
  it('answers an ordinary query', async () => {
    const result = await post({ query: '{ destinations(first: 2) { code related { code } } }' });
    expect(result.status).toBe(200);
    expect(result.json.data.destinations).toHaveLength(2);
  });

  it('refuses depth 7 and accepts depth 6', async () => {
    const ok = await post({
      query: '{ destinations { related { related { related { related { code } } } } } }',
    });
    expect(ok.status).toBe(200);
    expect(ok.json.errors).toBeUndefined();
    const deep = await post({
      query: '{ destinations { related { related { related { related { related { code } } } } } } }',
    });
    expectLimit(deep, 'depth');
    expect(deep.json.errors[0].message).toMatch(/depth limit of 6/);
  });

  it('refuses 16 aliases of one field', async () => {
    const aliases = Array.from(
      { length: 16 },
      (_, index) => `a${index}: destinations(first: 1) { code }`,
    ).join(' ');
    expectLimit(await post({ query: `{ ${aliases} }` }), 'aliases');
  });

  it('counts aliases of __typename and of meta fields like any others', async () => {
    const typenames = Array.from({ length: 100 }, (_, index) => `t${index}: __typename`).join(' ');
    const flood = await post({ query: `{ ${typenames} }` });
    expectLimit(flood, 'aliases');
    expect(flood.json.errors[0].message).toMatch(/Aliases limit of 15 exceeded, found 100/);
    // A real field hidden behind the alias `__typename` counts too.
    const disguised = Array.from({ length: 16 }, () => '__typename: trips').join(' ');
    expectLimit(await post({ query: `{ ${disguised} }` }), 'aliases');
    const schemas = Array.from({ length: 16 }, (_, index) => `s${index}: __schema { queryType { name } }`);
    expectLimit(
      await post(
        { query: `{ ${schemas.join(' ')} }` },
        { authorization: `Bearer ${await edge.token('ADMIN')}` },
      ),
      'aliases',
    );
  });

  it('still answers a query with a few aliases, __typename among them', async () => {
    const result = await post({
      query: '{ kind: __typename first: destinations(first: 1) { code type: __typename } other: trips }',
    });
    expect(result.status).toBe(200);
    expect(result.json.data).toEqual({
      kind: 'Query',
      first: [{ code: 'PAR', type: 'Destination' }],
      other: ['trip-1'],
    });
  });

  it('counts fields, directives and depth through fragments spread over and over', async () => {
    // Each fragment spreads the one before twice: 2^20 fields from a document of a few hundred tokens.
    const doubling = (levels: number, leaf: string) =>
      [
        `fragment F0 on Query { ${leaf} }`,
        ...Array.from(
          { length: levels },
          (_, index) => `fragment F${index + 1} on Query { ...F${index} ...F${index} }`,
        ),
      ].join(' ');
    expectLimit(await post({ query: `{ ...F20 } ${doubling(20, '__typename')}` }), 'cost');
    // One fragment's 26 directives, spread twice: 52.
    const twentySix = Array.from({ length: 26 }, () => '@include(if: true)').join(' ');
    const directives = await post({
      query: `{ ...A ...A } fragment A on Query { trips ${twentySix} }`,
    });
    expectLimit(directives, 'directives');
    expect(directives.json.errors[0].message).toMatch(/Directives limit of 50 exceeded, found 52/);
    const deep = await post({
      query:
        '{ destinations { ...D } } fragment D on Destination { related { related { related { related { related { code } } } } } }',
    });
    expectLimit(deep, 'depth');
  });

  it('names the limit when graphql-js gives up validating repeated fields', async () => {
    const repeated = Array.from({ length: 900 }, () => 'code').join(' ');
    const result = await post({ query: `{ destinations(first: 1) { ${repeated} } }` });
    expectLimit(result, 'validation');
    expect(result.json.errors[0].message).toMatch(/too complex to validate/);
  });

  it('refuses a JSON array batch', async () => {
    const result = await post([{ query: '{ trips }' }, { query: '{ trips }' }]);
    expectLimit(result, 'batching');
  });

  it('refuses 51 directives', async () => {
    const directives = Array.from({ length: 51 }, () => '@include(if: true)').join(' ');
    expectLimit(await post({ query: `{ trips ${directives} }` }), 'directives');
  });

  it('refuses a document of more than 1000 tokens', async () => {
    const fields = Array.from({ length: 1001 }, () => 'code').join(' ');
    expectLimit(await post({ query: `{ destinations { ${fields} } }` }), 'tokens');
  });

  it('refuses a 1 MB body with 413', async () => {
    const result = await post({ query: `{ trips } # ${'x'.repeat(1024 * 1024)}` });
    expect(result.status).toBe(413);
    expect(result.json.errors[0].extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'bodySize',
    });
    expect(result.json.errors[0].extensions.requestId).toEqual(expect.any(String));
  });

  it('refuses first: 99999999, inline (structural cost) or through a variable (list size)', async () => {
    const inline = await post({ query: '{ destinations(first: 99999999) { code } }' });
    expectLimit(inline, 'cost');
    expect(inline.json.errors[0].message).toMatch(/Cost limit of 5000 exceeded/);
    const viaVariable = await post({
      query: 'query ($n: Int) { destinations(first: $n) { code } }',
      variables: { n: 99999999 },
    });
    expectLimit(viaVariable, 'listSize');
    expect(viaVariable.json.errors[0].message).toMatch(/99999999 on "destinations" exceeds the limit of 100/);
  });

  it('refuses maxResults over the list size limit inside an input object', async () => {
    const result = await post({ query: '{ searchFlights(input: { origin: "PAR", maxResults: 101 }) }' });
    expectLimit(result, 'listSize');
    const ok = await post({ query: '{ searchFlights(input: { origin: "PAR", maxResults: 100 }) }' });
    expect(ok.status).toBe(200);
    expect(ok.json.errors).toBeUndefined();
  });

  it('refuses list sizes that multiply past the list cost limit', async () => {
    const result = await post({
      query:
        'query ($n: Int) { destinations(first: $n) { related(first: $n) { related(first: $n) { code } } } }',
      variables: { n: 100 },
    });
    expectLimit(result, 'listCost');
    expect(result.json.errors[0].message).toMatch(/over the limit of 10000/);
  });

  it('answers limit refusals 200 with the same coded error when the client accepts application/json', async () => {
    const depth = '{ destinations { related { related { related { related { related { code } } } } } } }';
    const tokens = `{ destinations { ${Array.from({ length: 1001 }, () => 'code').join(' ')} } }`;
    const listSize = { query: 'query ($n: Int) { destinations(first: $n) { code } }', variables: { n: 101 } };
    for (const accept of ['application/json', '*/*', `application/json, ${graphqlResponseJson};q=0.5`]) {
      expectLimit(await edge.post({ query: depth }, { accept }), 'depth', 200);
      expectLimit(await edge.post({ query: tokens }, { accept }), 'tokens', 200);
      expectLimit(await edge.post(listSize, { accept }), 'listSize', 200);
    }
    // No accept header at all is application/json too (curl, fetch without headers).
    const bare = await edge.post({ query: depth });
    expectLimit(bare, 'depth', 200);
    expect(bare.headers.get('content-type')).toMatch(/^application\/json/);
    // Preferring the GraphQL response type keeps the 400, whatever else is listed.
    expectLimit(
      await edge.post({ query: depth }, { accept: `${graphqlResponseJson}, application/json` }),
      'depth',
    );
    // A request that is not well-formed GraphQL over HTTP stays a 400 under any media type.
    const batch = await edge.post([{ query: '{ trips }' }, { query: '{ trips }' }], {
      accept: 'application/json',
    });
    expectLimit(batch, 'batching');
  });

  it('refuses introspection for anonymous callers and travelers, allows it for admins', async () => {
    const query = '{ __schema { queryType { name } } }';
    const anonymous = await post({ query });
    expect(anonymous.status).toBe(403);
    expect(anonymous.json.errors[0].extensions.code).toBe('FORBIDDEN');
    const traveler = await post({ query }, { authorization: `Bearer ${await edge.token('TRAVELER')}` });
    expect(traveler.json.errors[0].extensions.code).toBe('FORBIDDEN');
    const typeProbe = await post({ query: '{ __type(name: "Destination") { name } }' });
    expect(typeProbe.status).toBe(403);
    const admin = await post({ query }, { authorization: `Bearer ${await edge.token('ADMIN')}` });
    expect(admin.status).toBe(200);
    expect(admin.json.data.__schema.queryType.name).toBe('Query');
  });

  it('does not suggest field names for a misspelled field', async () => {
    const result = await post({ query: '{ destinations { nmae } }' });
    expect(result.status).toBe(400);
    const message: string = result.json.errors[0].message;
    expect(message).toBe('Cannot query field "nmae" on type "Destination".');
    expect(message).not.toMatch(/Did you mean/);
    expect(message).not.toMatch(/"name"/);
  });

  it('hides a resolver failure: no stack trace, no detail, request id present', async () => {
    const response = await fetch(edge.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'edge-test-boom-0001' },
      body: JSON.stringify({ query: '{ boom trips }' }),
    });
    const body = (await response.json()) as any;
    expect(body.data).toEqual({ boom: null, trips: ['trip-1'] });
    const error = body.errors[0];
    expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.extensions.requestId).toBe('edge-test-boom-0001');
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/hunter2|secret\.ts|stacktrace|at \//);
  });
});

describe('CSRF prevention', () => {
  it('refuses a GET with text/plain and no preflight header', async () => {
    const response = await fetch(`${edge.url}?query=${encodeURIComponent('{ trips }')}`, {
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  it('refuses a form POST', async () => {
    const response = await fetch(edge.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=%7B%20trips%20%7D',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  it('refuses a multipart POST', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: '{ trips }' }));
    const response = await fetch(edge.url, { method: 'POST', body: form });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/i);
  });

  it('accepts a GET that carries the preflight header', async () => {
    const response = await fetch(`${edge.url}?query=${encodeURIComponent('{ trips }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).data.trips).toEqual(['trip-1']);
  });
});

describe('HTTP hardening', () => {
  it('sends security headers', async () => {
    const response = await fetch(`${edge.origin}/health`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('answers an unknown path with a coded JSON 404 and the request id, not an HTML page', async () => {
    const response = await fetch(`${edge.origin}/admin/../nope?x=1`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions).toEqual({ code: 'NOT_FOUND', requestId: expect.any(String) });
    expect(body.errors[0].message).toMatch(/GET \/nope/);
  });

  it('allows CORS only for configured origins', async () => {
    const preflight = (origin: string) =>
      fetch(edge.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-api-key',
        },
      });
    const allowed = await preflight('https://app.traveloure.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.traveloure.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/x-api-key/);
    const refused = await preflight('https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('operation selection', () => {
  it('answers an unknown operation name as a client error', async () => {
    const result = await post({ query: 'query A { trips }', operationName: 'B' });
    expect(result.status).toBe(400);
    expect(result.json.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    expect(result.json.errors[0].message).toMatch(/Unknown operation named "B"/);
  });
});

describe('metrics', () => {
  it('counts refusals by limit', async () => {
    const metrics = await (await fetch(`${edge.origin}/metrics`)).text();
    for (const limit of ['depth', 'aliases', 'tokens', 'bodySize', 'batching', 'listSize', 'validation']) {
      expect(metrics).toMatch(
        new RegExp(`gateway_operation_limit_exceeded_total\\{service="gateway",limit="${limit}"\\} [1-9]`),
      );
    }
  });
});
