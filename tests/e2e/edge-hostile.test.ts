/**
 * Requests a client can get wrong, or send on purpose to flood alerting. None may take the
 * unexpected-error path (an error-level log line, a Sentry report, INTERNAL_SERVER_ERROR): each
 * answers a 4xx with a client code and the request id, and the gateway logs nothing at error
 * level for it. Each is sent twice: accepting `application/graphql-response+json` (every mistake
 * a 4xx) and accepting `application/json`, where GraphQL over HTTP has a well-formed request
 * that GraphQL refuses (parse, validation, limits, variables) answer 200 with the coded errors
 * and no data. The last test proves the log capture sees an unexpected error when there is one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { sha256 } from '@traveloure/gateway/edge/index';
import { startEdge, type EdgeHarness } from './edge-fixture.ts';

let edge: EdgeHarness;

beforeAll(async () => {
  edge = await startEdge('edge_hostile');
});
afterAll(async () => {
  await edge?.close();
});

interface Answer {
  status: number;
  json: any;
}

let sequence = 0;
const nextRequestId = () => `hostile-${String(++sequence).padStart(4, '0')}`;

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) };
  } catch {
    return { status: response.status, json: { raw: text } };
  }
}

type Send = (requestId: string, accept: string) => Promise<Answer>;

const graphqlResponseJson = 'application/graphql-response+json';

const post =
  (body: unknown, headers: Record<string, string> = {}): Send =>
  (requestId, accept) =>
    edge.post(body, { accept, 'x-request-id': requestId, ...headers });

const raw =
  (init: RequestInit & { headers?: Record<string, string> }, path = ''): Send =>
  async (requestId, accept) =>
    answerOf(
      await fetch(edge.url + path, {
        ...init,
        headers: { accept, 'x-request-id': requestId, ...init.headers },
      }),
    );

const get = (params: Record<string, string>, headers: Record<string, string> = {}): Send =>
  raw(
    { method: 'GET', headers: { 'apollo-require-preflight': 'true', ...headers } },
    `?${new URLSearchParams(params)}`,
  );

/**
 * Sends one request and checks the rule: a 4xx (or, for a GraphQL request error answered as
 * `application/json`, a 200 without data), a client code (never INTERNAL_SERVER_ERROR), the
 * request id it was sent with, and no error-level log line while it was served.
 */
async function expectClientMistake(
  send: Send,
  code?: string,
  options: { accept?: string; graphqlRequestError?: boolean } = {},
) {
  const requestId = nextRequestId();
  const before = edge.logs.length;
  const accept = options.accept ?? graphqlResponseJson;
  const answer = await send(requestId, accept);
  const logged = edge.logs.slice(before);
  if (options.graphqlRequestError && accept === 'application/json') {
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json.data).toBeUndefined();
  } else {
    expect(answer.status, JSON.stringify(answer.json)).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  }
  const error = answer.json.errors?.[0];
  expect(error?.extensions?.code, JSON.stringify(answer.json)).toEqual(expect.any(String));
  expect(error.extensions.code).not.toBe('INTERNAL_SERVER_ERROR');
  if (code) expect(error.extensions.code).toBe(code);
  expect(error.extensions.requestId).toBe(requestId);
  expect(JSON.stringify(answer.json)).not.toMatch(
    /Something went wrong on our side|stacktrace|node_modules|\.ts:\d+/,
  );
  expect(logged.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
  expect(logged.filter((line) => JSON.stringify(line).includes('"stack"'))).toEqual([]);
  return answer;
}

const query = '{ trips }';
const persisted = (persistedQuery: unknown) => ({ extensions: { persistedQuery } });

describe('persisted-query mistakes are the client’s: 400 BAD_REQUEST, never an internal error', () => {
  const cases: Record<string, Send> = {
    'a hash that is not the sha-256 of the query': post({
      query,
      ...persisted({ version: 1, sha256Hash: sha256('{ destinations { code } }') }),
    }),
    'an unsupported version, with the query': post({
      query,
      ...persisted({ version: 2, sha256Hash: sha256(query) }),
    }),
    'an unsupported version, by hash alone': post(persisted({ version: 2, sha256Hash: sha256(query) })),
    'persistedQuery a string': post({ query, ...persisted('yes please') }),
    'persistedQuery a string, by hash alone': post(persisted('yes please')),
    'persistedQuery an array': post(persisted([1, sha256(query)])),
    'persistedQuery a number': post(persisted(1)),
    'sha256Hash a number, with the query': post({ query, ...persisted({ version: 1, sha256Hash: 42 }) }),
    'sha256Hash a number, by hash alone': post(persisted({ version: 1, sha256Hash: 42 })),
    'no sha256Hash': post(persisted({ version: 1 })),
    'sha256Hash not hex': post(persisted({ version: 1, sha256Hash: 'z'.repeat(64) })),
    'extensions a string': post({ query, extensions: JSON.stringify(persisted({ version: 1 }).extensions) }),
    'extensions an array': post({ query, extensions: [] }),
    'query not a string, with a persistedQuery': post({
      query: 7,
      ...persisted({ version: 1, sha256Hash: sha256(query) }),
    }),
    'GET: malformed extensions JSON': get({ query, extensions: '{"persistedQuery":' }),
    'GET: extensions a JSON string': get({ extensions: '"persistedQuery"' }),
    'GET: persistedQuery a string': get({ extensions: JSON.stringify({ persistedQuery: 'x' }) }),
    'GET: an unsupported version': get({
      extensions: JSON.stringify({ persistedQuery: { version: 3, sha256Hash: sha256(query) } }),
    }),
  };
  for (const [name, send] of Object.entries(cases)) {
    it(name, async () => {
      for (const accept of [graphqlResponseJson, 'application/json']) {
        const answer = await expectClientMistake(send, 'BAD_REQUEST', { accept });
        expect(answer.status).toBe(400);
      }
    });
  }

  it('tells the client what the persistedQuery extension must look like', async () => {
    const mismatch = await expectClientMistake(cases['a hash that is not the sha-256 of the query']!);
    expect(mismatch.json.errors[0].message).toBe('provided sha does not match query');
    const version = await expectClientMistake(cases['an unsupported version, by hash alone']!);
    expect(version.json.errors[0].message).toMatch(/version must be 1/);
    const shape = await expectClientMistake(cases['persistedQuery a string']!);
    expect(shape.json.errors[0].message).toMatch(/must be an object.*"version": 1, "sha256Hash"/);
    const hash = await expectClientMistake(cases['sha256Hash a number, by hash alone']!);
    expect(hash.json.errors[0].message).toMatch(/sha256Hash must be the sha-256 of the query/);
  });
});

describe('no request a client can make reaches the unexpected-error path', () => {
  const huge = `{ trips } # ${'x'.repeat(200 * 1024)}`;
  const cases: Record<string, Send> = {
    'malformed JSON body': post('{"query": "{ trips }"'),
    'a JSON string body': post('"{ trips }"'),
    'a JSON null body': post('null'),
    'an empty object': post({}),
    'a batched array': post([{ query }, { query }]),
    'query a number': post({ query: 1 }),
    'query null': post({ query: null }),
    'query empty': post({ query: '' }),
    'variables a string': post({ query, variables: '{}' }),
    'variables an array': post({ query, variables: [] }),
    'operationName a number': post({ query, operationName: 3 }),
    'an unknown operation name': post({ query: 'query A { trips }', operationName: 'B' }),
    'several operations and no operationName': post({ query: 'query A { trips } query B { trips }' }),
    'a syntax error': post({ query: '{ trips' }),
    'a NUL character in the query': post({ query: '{ trips }\u0000' }),
    'an unknown field': post({ query: '{ nothing }' }),
    'an unknown directive': post({ query: '{ trips @nope }' }),
    'an Int literal over 32 bits': post({ query: '{ trips(first: 99999999999) }' }),
    'a variable of the wrong type': post({
      query: 'query ($n: Int) { trips(first: $n) }',
      variables: { n: 'x' },
    }),
    'a required variable missing': post({ query: 'query ($n: Int!) { trips(first: $n) }' }),
    'a fragment never used': post({ query: '{ trips } fragment F on Query { trips }' }),
    'a fragment cycle': post({ query: '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }' }),
    'a subscription': post({ query: 'subscription { trips }' }),
    'a mutation where the schema has none': post({ query: 'mutation { trips }' }),
    'a mutation over GET': get({ query: 'mutation { trips }' }),
    'GET without a query': get({}),
    'GET with malformed variables JSON': get({ query, variables: '{' }),
    'a text/plain POST (CSRF)': raw({
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: query,
    }),
    'an unsupported charset': raw({
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=klingon' },
      body: JSON.stringify({ query }),
    }),
    'a body that claims gzip and is not': raw({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: JSON.stringify({ query }),
    }),
    'an unknown content encoding': raw({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'zstd-but-not-really' },
      body: gzipSync(JSON.stringify({ query })),
    }),
    'a PUT': raw({
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    }),
    'a body over the limit': post(huge),
    'an unknown API key': post({ query }, { 'x-api-key': 'tvl_guessed' }),
    'a malformed Authorization header': post({ query }, { authorization: 'Token abc' }),
    'introspection, anonymously': post({ query: '{ __schema { queryType { name } } }' }),
    'a depth flood through fragments': post({
      query:
        '{ destinations { ...D } } fragment D on Destination { related { related { related { related { related { related { code } } } } } } }',
    }),
  };
  // Well-formed requests GraphQL itself refuses: 200 with the errors under application/json.
  const graphqlRequestErrors = new Set([
    'an unknown operation name',
    'several operations and no operationName',
    'a syntax error',
    'a NUL character in the query',
    'an unknown field',
    'an unknown directive',
    'an Int literal over 32 bits',
    'a variable of the wrong type',
    'a required variable missing',
    'a fragment never used',
    'a fragment cycle',
    'a depth flood through fragments',
  ]);
  for (const [name, send] of Object.entries(cases)) {
    it(name, async () => {
      await expectClientMistake(send);
      await expectClientMistake(send, undefined, {
        accept: 'application/json',
        graphqlRequestError: graphqlRequestErrors.has(name),
      });
    });
  }

  it('logs an unexpected error at error level when there is one (the capture works)', async () => {
    const before = edge.logs.length;
    const answer = await edge.post({ query: '{ boom }' }, { 'x-request-id': 'hostile-control' });
    expect(answer.json.errors[0].extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: 'hostile-control',
    });
    const errors = edge.logs.slice(before).filter((line) => line.level === 'error');
    // Logged (and reported) once, by the subgraph whose resolver failed; the gateway passes the
    // coded error on without a second copy.
    expect(errors.map((line) => line.msg)).toContain('unexpected resolver error');
    expect(errors.map((line) => line.msg)).not.toContain('unexpected gateway error');
  });
});
