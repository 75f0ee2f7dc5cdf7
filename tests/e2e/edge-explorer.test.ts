/**
 * The explorer's endpoints over real HTTP: the explorer at /graphql for browsers (GraphQL GETs
 * untouched), the query plan endpoint (ADMIN or development only) and the development sign-in
 * (refused outside development), each refusal coded and carrying the request id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoUsers as seededUsers } from '@traveloure/trip/db/seed/index';
import { seedExperts } from '@traveloure/ai/db/seed/experts';
import { createApiKey } from '@traveloure/gateway/edge/index';
import { demoUsers } from '@traveloure/gateway/edge/explorer-api';
import { gatewayDb, startEdge, type EdgeHarness } from './edge-fixture.ts';

const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const nestedQuery = '{ destinations(first: 1) { code related(first: 1) { name } } }';

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

function expectCoded(
  answer: { status: number; json: any },
  status: number,
  code: string,
  requestId = expect.any(String),
) {
  expect(answer.status).toBe(status);
  expect(answer.json.errors[0].extensions).toMatchObject({ code, requestId });
}

describe('explorer endpoints in development', () => {
  let edge: EdgeHarness;
  beforeAll(async () => {
    edge = await startEdge('edge_explorer_dev', { NODE_ENV: 'development', EXPLORER_ENABLED: 'true' });
  });
  afterAll(() => edge?.close());

  it('answers a browser opening /graphql with the explorer, not a landing page', async () => {
    const response = await fetch(edge.url, { headers: { accept: browserAccept } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('vary')).toMatch(/accept/i);
    const html = await response.text();
    expect(html).toContain('/explorer/explorer.js');
    // Nothing from a CDN: the CSP allows scripts from this origin only.
    expect(html).not.toMatch(/https?:\/\//);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'(;|$)/);
  });

  it('leaves GraphQL over GET as it was, whatever the Accept header says', async () => {
    const query = encodeURIComponent('{ destinations(first: 1) { code } }');
    for (const accept of [browserAccept, 'application/json', '*/*']) {
      const response = await fetch(`${edge.url}?query=${query}`, {
        headers: { accept, 'apollo-require-preflight': 'true' },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { destinations: [{ code: 'PAR' }] } });
    }
    // An API client asking for nothing gets Apollo's coded refusal in JSON, never HTML.
    const empty = await fetch(edge.url, { headers: { accept: 'application/json' } });
    expect(empty.status).toBe(400);
    expect(empty.headers.get('content-type')).toMatch(/json/);
  });

  it('lists the manifest with what anyone can run first, and the demo users', async () => {
    const config = (await (await fetch(`${edge.origin}/explorer/config.json`)).json()) as any;
    expect(config.development).toBe(true);
    expect(config.signInEndpoint).toBe('/explorer/sign-in');
    expect(config.demoUsers.map((user: { id: string }) => user.id)).toEqual(demoUsers.map((user) => user.id));
    expect(config.operations.map((operation: any) => [operation.name, operation.audience])).toEqual([
      ['Destinations', 'anyone'],
      ['WhoAmI', 'user'],
      ['DestinationPopularity', 'analyst'],
    ]);
    expect(config.operations[2].csvUrl).toBe('/analytics/DestinationPopularity?format=csv');
  });

  it('plans an operation for anyone, with the gateway planner, without running it', async () => {
    const answer = await postJson(`${edge.origin}/explorer/plan`, { query: nestedQuery });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('private, no-store');
    expect(answer.json.subgraphs).toEqual(['fixture']);
    expect(answer.json.plan).toMatch(/^QueryPlan \{/);
    expect(answer.json.plan).toContain('Fetch(service: "fixture")');
    expect(answer.json.plan).toContain('related(first: 1)');
  });

  it('picks the named operation of a document with several', async () => {
    const query = 'query A { destinations { code } } query B { whoami }';
    const answer = await postJson(`${edge.origin}/explorer/plan`, { query, operationName: 'B' });
    expect(answer.status).toBe(200);
    expect(answer.json.operationName).toBe('B');
    expect(answer.json.plan).toContain('whoami');
    expect(answer.json.plan).not.toContain('destinations');
    const ambiguous = await postJson(`${edge.origin}/explorer/plan`, { query });
    expectCoded(ambiguous, 400, 'BAD_USER_INPUT');
  });

  it('refuses what it cannot plan as the caller’s mistake, coded, with the request id', async () => {
    const headers = { 'x-request-id': 'plan-bad-1' };
    expectCoded(
      await postJson(`${edge.origin}/explorer/plan`, {}, headers),
      400,
      'BAD_USER_INPUT',
      'plan-bad-1',
    );
    expectCoded(
      await postJson(`${edge.origin}/explorer/plan`, { query: '{ destinations {' }, headers),
      400,
      'GRAPHQL_PARSE_FAILED',
      'plan-bad-1',
    );
    const invalid = await postJson(`${edge.origin}/explorer/plan`, { query: '{ nope }' }, headers);
    expectCoded(invalid, 400, 'GRAPHQL_VALIDATION_FAILED', 'plan-bad-1');
    expect(invalid.json.errors[0].message).toMatch(/nope/);
    // The gateway's operation limits hold here too: planning costs no more than running.
    const deep = `{ destinations { ${'related { '.repeat(8)}code${' }'.repeat(8)} } }`;
    const tooDeep = await postJson(`${edge.origin}/explorer/plan`, { query: deep });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.json.errors[0].message).toMatch(/depth/i);
    const text = await fetch(`${edge.origin}/explorer/plan`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: nestedQuery,
    });
    expect(text.status).toBe(415);
    expect(((await text.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('signs in as a demo user with a token the gateway accepts', async () => {
    const answer = await postJson(`${edge.origin}/explorer/sign-in`, { userId: 'user-demo-admin' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.json.user).toEqual({ id: 'user-demo-admin', name: 'Morgan Admin', role: 'ADMIN' });
    expect(Date.parse(answer.json.expiresAt)).toBeGreaterThan(Date.now() + 3600_000);
    const whoami = await edge.post({ query: '{ whoami }' }, { authorization: `Bearer ${answer.json.token}` });
    expect(JSON.parse(whoami.json.data.whoami)).toEqual({
      user: 'user-demo-admin',
      roles: ['ADMIN'],
      apiKey: null,
    });
  });

  it('signs in only as a demo user', async () => {
    const answer = await postJson(
      `${edge.origin}/explorer/sign-in`,
      { userId: 'someone-else' },
      { 'x-request-id': 'sign-in-bad-1' },
    );
    expectCoded(answer, 400, 'BAD_USER_INPUT', 'sign-in-bad-1');
    expect(answer.json.errors[0].message).toContain('user-demo-us');
  });

  it('offers exactly the people the seeds create (and an analyst, who needs no profile)', () => {
    const seeded = new Map<string | null, string>([
      ...seededUsers.map((user) => [user.id, user.name] as const),
      ...seedExperts.map((expert) => [expert.user_id, expert.name] as const),
    ]);
    for (const user of demoUsers.filter((demo) => demo.role !== 'ANALYST')) {
      expect(seeded.get(user.id), user.id).toBe(user.name);
    }
  });
});

describe('explorer endpoints outside development', () => {
  let edge: EdgeHarness;
  beforeAll(async () => {
    edge = await startEdge('edge_explorer_prod', {
      NODE_ENV: 'production',
      EXPLORER_ENABLED: 'true',
      METRICS_PORT: '0',
    });
  });
  afterAll(() => edge?.close());

  it('refuses the query plan to anyone but an admin, coded 403 with the request id', async () => {
    const db = gatewayDb(edge.database.url);
    const { key } = await createApiKey(db, { owner: 'Plan Partner', scopes: ['catalog'], rateLimit: 100 });
    await db.destroy();
    const callers: Record<string, Record<string, string>> = {
      anonymous: {},
      traveler: { authorization: `Bearer ${await edge.token('TRAVELER')}` },
      analyst: { authorization: `Bearer ${await edge.token('ANALYST')}` },
      partner: { 'x-api-key': key },
    };
    for (const [caller, headers] of Object.entries(callers)) {
      const answer = await postJson(
        `${edge.origin}/explorer/plan`,
        { query: nestedQuery },
        { ...headers, 'x-request-id': `plan-${caller}` },
      );
      expectCoded(answer, 403, 'FORBIDDEN', `plan-${caller}`);
      expect(answer.json.plan).toBeUndefined();
    }
  });

  it('plans for an admin', async () => {
    const answer = await postJson(
      `${edge.origin}/explorer/plan`,
      { query: nestedQuery },
      { authorization: `Bearer ${await edge.token('ADMIN')}` },
    );
    expect(answer.status).toBe(200);
    expect(answer.json.plan).toContain('Fetch(service: "fixture")');
  });

  it('refuses the development sign-in, coded, and the explorer offers none', async () => {
    const answer = await postJson(
      `${edge.origin}/explorer/sign-in`,
      { userId: 'user-demo-admin' },
      { 'x-request-id': 'sign-in-prod' },
    );
    expectCoded(answer, 403, 'FORBIDDEN', 'sign-in-prod');
    expect(answer.json.token).toBeUndefined();
    const config = (await (await fetch(`${edge.origin}/explorer/config.json`)).json()) as any;
    expect(config.development).toBe(false);
    expect(config.signInEndpoint).toBeUndefined();
    expect(config.demoUsers).toEqual([]);
  });

  it('serves the explorer at /graphql to browsers in production too', async () => {
    const response = await fetch(edge.url, { headers: { accept: browserAccept } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('/explorer/explorer.js');
  });
});
