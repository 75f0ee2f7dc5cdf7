import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { gql } from 'graphql-tag';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from '@traveloure/platform';
import type { RunningGateway } from './server.ts';
import { gatewayTestEnv, startGatewayOver, startProbeSubgraph } from './test-support.ts';
import { mintToken } from './tokens.ts';

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    "Who the subgraph was told is calling, after a pause long enough for callers to overlap."
    whoAmI: String
    echo(text: String!): String
  }
  type Mutation {
    bump: Int
  }
`;

const env = {
  ...gatewayTestEnv,
  SUBGRAPH_TIMEOUT_MS: '400',
  // Anonymous callers are told apart by their (forwarded) address.
  TRUST_PROXY: 'loopback',
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('subgraph calls', () => {
  let subgraph: RunningServer;
  let gateway: RunningGateway;
  /** Field resolutions and TCP connections seen by the subgraph. */
  const seen = { whoAmI: 0, echo: 0, bump: 0, connections: 0 };

  beforeAll(async () => {
    subgraph = await startProbeSubgraph(typeDefs, {
      Query: {
        whoAmI: async (_parent: unknown, _args: unknown, context: any) => {
          seen.whoAmI++;
          await pause(150);
          return context.identity.user?.id ?? `anonymous@${context.identity.ip}`;
        },
        echo: (_parent: unknown, args: { text: string }) => {
          seen.echo++;
          return args.text;
        },
      },
      Mutation: {
        bump: async () => {
          await pause(100);
          return ++seen.bump;
        },
      },
    });
    subgraph.httpServer.on('connection', () => seen.connections++);
    gateway = await startGatewayOver([{ name: 'probe', url: subgraph.url, typeDefs }], env);
  });
  afterAll(async () => {
    await gateway?.close();
    await subgraph?.close();
  });
  beforeEach(() => {
    seen.whoAmI = seen.echo = seen.bump = 0;
  });

  const post = async (query: string, headers: Record<string, string> = {}) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  };
  const bearer = async (userId: string) => ({
    authorization: `Bearer ${await mintToken({ role: 'TRAVELER', userId, secret: env.JWT_SECRET })}`,
  });

  it('merges the same caller’s identical concurrent queries into one subgraph call', async () => {
    const alice = await bearer('alice');
    const results = await Promise.all(Array.from({ length: 5 }, () => post('{ whoAmI }', alice)));
    expect(results.map((result) => result.data?.whoAmI)).toEqual(Array(5).fill('alice'));
    expect(seen.whoAmI).toBe(1);
  });

  it('never lets two travelers share an answer', async () => {
    const [alice, bob] = await Promise.all([bearer('alice'), bearer('bob')]);
    const results = await Promise.all([
      post('{ whoAmI }', alice),
      post('{ whoAmI }', bob),
      post('{ whoAmI }', alice),
      post('{ whoAmI }', bob),
    ]);
    expect(results.map((result) => result.data?.whoAmI)).toEqual(['alice', 'bob', 'alice', 'bob']);
    expect(seen.whoAmI).toBe(2);
  });

  it('keeps anonymous callers from different addresses apart', async () => {
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const results = await Promise.all([
      post('{ whoAmI }', from('198.51.100.7')),
      post('{ whoAmI }', from('203.0.113.9')),
      post('{ whoAmI }', from('198.51.100.7')),
    ]);
    expect(results.map((result) => result.data?.whoAmI)).toEqual([
      'anonymous@198.51.100.7',
      'anonymous@203.0.113.9',
      'anonymous@198.51.100.7',
    ]);
    expect(seen.whoAmI).toBe(2);
  });

  it('never merges a mutation', async () => {
    const alice = await bearer('alice');
    const results = await Promise.all(Array.from({ length: 3 }, () => post('mutation { bump }', alice)));
    expect(results.map((result) => result.data?.bump).sort()).toEqual([1, 2, 3]);
    expect(seen.bump).toBe(3);
  });

  it('merges only what is in flight: a later identical query is a new call', async () => {
    const alice = await bearer('alice');
    await post('{ whoAmI }', alice);
    await post('{ whoAmI }', alice);
    expect(seen.whoAmI).toBe(2);
  });

  it('reuses kept-alive connections to the subgraph', async () => {
    await post('{ echo(text: "warm") }');
    const before = seen.connections;
    for (let index = 0; index < 10; index++) {
      expect((await post(`{ echo(text: "n${index}") }`)).data?.echo).toBe(`n${index}`);
    }
    expect(seen.echo).toBe(11);
    expect(seen.connections - before).toBeLessThanOrEqual(1);
  });
});

describe('a subgraph that stalls', () => {
  it('gives up on a body that stops arriving within SUBGRAPH_TIMEOUT_MS', async () => {
    const stalled = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":{"whoAmI":');
      // ... and nothing more, on a connection kept open.
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}/graphql`;
    const gateway = await startGatewayOver([{ name: 'probe', url, typeDefs }], env);
    try {
      const started = performance.now();
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'stalled-body-01' },
        body: JSON.stringify({ query: '{ whoAmI }' }),
      });
      const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
      expect(body.errors[0]!.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        service: 'probe',
        requestId: 'stalled-body-01',
      });
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await gateway.close();
      stalled.closeAllConnections();
      await new Promise<void>((resolve) => stalled.close(() => resolve()));
    }
  });
});
