import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-tag';
import { createLogger } from './logger.ts';
import { Health } from './health.ts';
import { defaultHttpLimits, jsonDepthExceeds } from './http-hardening.ts';
import { IDENTITY_HEADER } from './identity.ts';
import { createSubgraphServer, type RunningServer } from './subgraph-server.ts';
import { rawHttpExchange, signedHeaders, testSigningSecret } from './testing/index.ts';

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    echo(text: String): String
    whoami: String
  }
`;

const limits = { ...defaultHttpLimits, headersTimeoutMs: 1_000, requestTimeoutMs: 1_000, maxJsonDepth: 16 };

async function startSubgraph(name: string) {
  const server = await createSubgraphServer({
    name,
    typeDefs,
    resolvers: {
      Query: {
        echo: (_parent: unknown, args: { text?: string }) => args.text ?? null,
        whoami: (_parent: unknown, _args: unknown, context: any) => context.identity.user?.id ?? null,
      },
    },
    logger: createLogger(name, { level: 'silent' }),
    health: new Health('test'),
    signingSecret: testSigningSecret,
    createContext: () => ({}),
    httpLimits: limits,
  });
  return server.listen(0, '127.0.0.1');
}

/** `{"a":{"a":...}}`, built as text: JSON.stringify itself overflows on 20,000 levels. */
const nested = (depth: number) => '{"a":'.repeat(depth) + '"x"' + '}'.repeat(depth);

describe('subgraph HTTP hardening', () => {
  let running: RunningServer;
  beforeAll(async () => {
    running = await startSubgraph('demo');
  });
  afterAll(() => running?.close());

  it('refuses 20,000-deep variables with a coded 400, and keeps serving', async () => {
    const headers = await signedHeaders('demo', { id: 'user-1' });
    const response = await fetch(running.url, {
      method: 'POST',
      headers,
      body: `{"query":"query($text: String) { echo(text: $text) }","variables":{"text":"hi","deep":${nested(20_000)}}}`,
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'jsonDepth',
      requestId: response.headers.get('x-request-id'),
    });
    expect(body.errors[0].message).toBe('Request body nests deeper than 16 levels.');

    // Within the bound is served as before.
    const fine = await fetch(running.url, {
      method: 'POST',
      headers,
      body: `{"query":"query($text: String) { echo(text: $text) }","variables":{"text":"hi","deep":${nested(10)}}}`,
    });
    expect(fine.status).toBe(200);
    expect(await fine.json()).toEqual({ data: { echo: 'hi' } });
  });

  it('answers a body that is not JSON with coded JSON and the request id, not an HTML page', async () => {
    const headers = await signedHeaders('demo', { id: 'user-1' });
    const response = await fetch(running.url, { method: 'POST', headers, body: '{"query": nope' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as any;
    expect(body.errors[0]).toEqual({
      message: 'Request body is not valid JSON.',
      extensions: { code: 'BAD_REQUEST', requestId: response.headers.get('x-request-id') },
    });
    expect(body.errors[0].extensions.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const charset = await fetch(running.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json; charset=koi8-r' },
      body: '{}',
    });
    expect(charset.status).toBe(415);
    expect(((await charset.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');

    const unknown = await fetch(running.url.replace('/graphql', '/nowhere'));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).errors[0].extensions).toMatchObject({
      code: 'NOT_FOUND',
      requestId: expect.any(String),
    });
  });

  it('answers a body shorter than its Content-Length within the request timeout', async () => {
    const headers = await signedHeaders('demo', { id: 'user-1' });
    const {
      status,
      headers: responseHeaders,
      json,
      elapsedMs,
    } = await rawHttpExchange(
      running.port,
      'POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n' +
        `${IDENTITY_HEADER}: ${headers[IDENTITY_HEADER]}\r\ncontent-length: 1000\r\n\r\n{"query":"`,
    );
    // Node's default left such a socket open for minutes (requestTimeout 300 s, checked every 30 s).
    expect(elapsedMs).toBeGreaterThanOrEqual(limits.requestTimeoutMs - 50);
    expect(elapsedMs).toBeLessThan(5_000);
    expect(status).toBe(408);
    expect(json.errors[0].extensions).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'requestTimeout',
      // Its headers were read: the request keeps the id it was given.
      requestId: responseHeaders['x-request-id'],
    });
    expect(responseHeaders['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a declared Content-Length over the body limit at once, without waiting for the body', async () => {
    const headers = await signedHeaders('demo', { id: 'user-1' });
    const { status, json, elapsedMs } = await rawHttpExchange(
      running.port,
      'POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n' +
        `${IDENTITY_HEADER}: ${headers[IDENTITY_HEADER]}\r\ncontent-length: 10000000000\r\n\r\n{"query":"`,
    );
    expect(elapsedMs).toBeLessThan(limits.requestTimeoutMs - 50);
    expect(status).toBe(413);
    expect(json.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'bodySize' });
  });

  it('answers headers that never finish within the headers timeout', async () => {
    const { status, json, elapsedMs } = await rawHttpExchange(
      running.port,
      'GET /health HTTP/1.1\r\nhost: localhost\r\nx-slow: ',
    );
    expect(elapsedMs).toBeLessThan(5_000);
    expect(status).toBe(408);
    expect(json.errors[0].extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'headersTimeout',
    });
  });

  it('answers a 20 KB header with 431 and coded JSON', async () => {
    const { status, headers, json } = await rawHttpExchange(
      running.port,
      `GET /health HTTP/1.1\r\nhost: localhost\r\nx-padding: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(status).toBe(431);
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(json.errors[0]).toEqual({
      message: `Request headers are over the limit of ${limits.maxHeaderBytes} bytes.`,
      extensions: {
        code: 'OPERATION_LIMIT_EXCEEDED',
        limit: 'headerSize',
        requestId: headers['x-request-id'],
      },
    });
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers bytes that are not HTTP with 400 and coded JSON', async () => {
    const { status, json } = await rawHttpExchange(running.port, 'HELLO THERE\r\n\r\n');
    expect(status).toBe(400);
    expect(json.errors[0].extensions).toMatchObject({ code: 'BAD_REQUEST', requestId: expect.any(String) });
    // The server is unharmed.
    expect((await fetch(running.url.replace('/graphql', '/health'))).status).toBe(200);
  });
});

describe('identity audience', () => {
  let trip: RunningServer;
  let ai: RunningServer;
  beforeAll(async () => {
    [trip, ai] = await Promise.all([startSubgraph('trip'), startSubgraph('ai')]);
  });
  afterAll(async () => {
    await trip?.close();
    await ai?.close();
  });

  it('refuses a header signed for another subgraph, accepts one signed for itself', async () => {
    const forTrip = await signedHeaders('trip', { id: 'user-9' });
    const call = (url: string) =>
      fetch(url, { method: 'POST', headers: forTrip, body: JSON.stringify({ query: '{ whoami }' }) });
    const replayed = await call(ai.url);
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const meant = await call(trip.url);
    expect(meant.status).toBe(200);
    expect(await meant.json()).toEqual({ data: { whoami: 'user-9' } });
  });
});

describe('jsonDepthExceeds', () => {
  it('measures nesting of objects and arrays without recursion', () => {
    expect(jsonDepthExceeds('text', 1)).toBe(false);
    expect(jsonDepthExceeds({}, 1)).toBe(false);
    expect(jsonDepthExceeds({ a: [] }, 1)).toBe(true);
    expect(jsonDepthExceeds({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(jsonDepthExceeds({ a: [{ b: {} }] }, 3)).toBe(true);
    expect(jsonDepthExceeds(JSON.parse(nested(100_000)), 64)).toBe(true);
  });
});
