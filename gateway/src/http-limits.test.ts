import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-tag';
import { IDENTITY_HEADER, type RunningServer } from '@traveloure/platform';
import { rawHttpExchange } from '@traveloure/platform/testing';
import type { RunningGateway } from './server.ts';
import { gatewayTestEnv, startGatewayOver, startProbeSubgraph } from './test-support.ts';

const env = {
  ...gatewayTestEnv,
  HTTP_REQUEST_TIMEOUT_MS: '1000',
  HTTP_HEADERS_TIMEOUT_MS: '1000',
};

/** The identity headers each subgraph received, to replay them elsewhere. */
const received: Record<string, string[]> = { trip: [], ai: [] };

async function startSubgraph(name: 'trip' | 'ai') {
  const typeDefs = gql`
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query {
      ${name}Who: String
    }
  `;
  const running = await startProbeSubgraph(
    typeDefs,
    { Query: { [`${name}Who`]: (_parent: unknown, _args: unknown, context: any) => context.requestId } },
    { name, onRequest: (req) => received[name]!.push(req.headers[IDENTITY_HEADER] as string) },
  );
  return { running, service: { name, url: running.url, typeDefs } };
}

describe('gateway HTTP limits and identity audience', () => {
  let trip: RunningServer;
  let ai: RunningServer;
  let gateway: RunningGateway;
  beforeAll(async () => {
    const [tripSubgraph, aiSubgraph] = await Promise.all([startSubgraph('trip'), startSubgraph('ai')]);
    trip = tripSubgraph.running;
    ai = aiSubgraph.running;
    gateway = await startGatewayOver([tripSubgraph.service, aiSubgraph.service], env);
  });
  afterAll(async () => {
    await gateway?.close();
    await trip?.close();
    await ai?.close();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('signs for each subgraph separately: a header one received is refused by the other', async () => {
    const response = await post(JSON.stringify({ query: '{ tripWho aiWho }' }), {
      'x-request-id': 'audience-test-0001',
    });
    expect(await response.json()).toEqual({
      data: { tripWho: 'audience-test-0001', aiWho: 'audience-test-0001' },
    });
    const seenByTrip = received.trip!.at(-1)!;
    const seenByAi = received.ai!.at(-1)!;
    expect(seenByTrip).not.toBe(seenByAi);

    const replay = (url: string, header: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: header },
        body: JSON.stringify({ query: '{ aiWho }' }),
      });
    const replayed = await replay(ai.url, seenByTrip);
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await replay(ai.url, seenByAi)).status).toBe(200);
  });

  it('answers a body that is not JSON with coded JSON and the request id', async () => {
    const response = await post('{"query": "{ tripWho }"', { 'x-request-id': 'not-json-000001' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'Request body is not valid JSON.',
          extensions: { code: 'BAD_REQUEST', requestId: 'not-json-000001' },
        },
      ],
    });
  });

  it('refuses 20,000-deep variables with a coded 400 and keeps serving', async () => {
    // Arrays: 20,000 levels of objects would be over the body size limit before their depth counts.
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const response = await post(`{"query":"{ tripWho }","variables":{"deep":${deep}}}`, {
      'x-request-id': 'deep-vars-000001',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].extensions).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'jsonDepth',
      requestId: 'deep-vars-000001',
    });
    const after = await post(JSON.stringify({ query: '{ tripWho }' }));
    expect(after.status).toBe(200);
  });

  it('answers a 20 KB header with 431 and coded JSON', async () => {
    const { status, json } = await rawHttpExchange(
      gateway.port,
      `POST /graphql HTTP/1.1\r\nhost: localhost\r\nx-padding: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(status).toBe(431);
    expect(json.errors[0].extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'headerSize',
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('answers a false Content-Length within HTTP_REQUEST_TIMEOUT_MS', async () => {
    const { status, headers, json, elapsedMs } = await rawHttpExchange(
      gateway.port,
      'POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n' +
        'x-request-id: false-length-0001\r\ncontent-length: 1000\r\n\r\n{"query":',
    );
    expect(elapsedMs).toBeLessThan(5_000);
    expect(status).toBe(408);
    expect(headers['x-request-id']).toBe('false-length-0001');
    expect(json.errors[0].extensions).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'requestTimeout',
      requestId: 'false-length-0001',
    });
  });
});
