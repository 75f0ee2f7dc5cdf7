/**
 * A subgraph call whose connection fails before any answer is sent again only when it reads: a
 * query is, a mutation never (it may have run before the connection broke). The connections go
 * through a proxy that resets them, as a replica going away does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-tag';
import type { RunningServer } from '@traveloure/platform';
import { startFaultProxy, type FaultProxy } from '@traveloure/platform/testing';
import type { RunningGateway } from './server.ts';
import { gatewayTestEnv, startGatewayOver, startProbeSubgraph } from './test-support.ts';
import { mintToken } from './tokens.ts';

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    echo(text: String!): String
  }
  type Mutation {
    bump: Int
  }
`;

const env = {
  ...gatewayTestEnv,
  SUBGRAPH_TIMEOUT_MS: '2000',
  SUBGRAPH_FETCH_CACHE_ENABLED: 'false',
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('subgraph calls on a failed connection', () => {
  let subgraph: RunningServer;
  let proxy: FaultProxy;
  let gateway: RunningGateway;
  let token: string;
  const resolved = { echo: 0, bump: 0 };

  beforeAll(async () => {
    subgraph = await startProbeSubgraph(typeDefs, {
      Query: { echo: (_parent: unknown, args: { text: string }) => (resolved.echo++, args.text) },
      Mutation: { bump: () => ++resolved.bump },
    });
    proxy = await startFaultProxy({ port: subgraph.port });
    gateway = await startGatewayOver([{ name: 'probe', url: proxy.url('http', '/graphql'), typeDefs }], env);
    token = await mintToken({ role: 'TRAVELER', userId: 'retry-user', secret: env.JWT_SECRET });
  });

  afterAll(async () => {
    await gateway?.close();
    await proxy?.close();
    await subgraph?.close();
  });

  const graphql = async (query: string) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
  };

  /** Lets connections through again once `count` more have been reset. */
  const forwardAfter = (count: number) => {
    const target = proxy.accepted + count;
    const timer = setInterval(() => {
      if (proxy.accepted < target) return;
      proxy.setFault({ kind: 'forward' });
      clearInterval(timer);
    }, 1);
  };

  /** Starts from no pooled connection, so every attempt shows as a connection the proxy accepts. */
  const withoutPooledConnections = async () => {
    proxy.setFault({ kind: 'forward' });
    proxy.cutAll();
    await pause(50);
  };

  it('sends a query again on a new connection, and answers it', async () => {
    await withoutPooledConnections();
    const accepted = proxy.accepted;
    proxy.setFault({ kind: 'reset' });
    // The first two attempts are reset; the next (after a 25 ms pause) goes through.
    forwardAfter(2);
    const answer = await graphql('{ echo(text: "again") }');
    expect(answer).toEqual({ status: 200, body: { data: { echo: 'again' } } });
    expect(proxy.accepted - accepted).toBe(3);
  });

  it('gives a query up after three more attempts', async () => {
    await withoutPooledConnections();
    const accepted = proxy.accepted;
    proxy.setFault({ kind: 'reset' });
    const answer = await graphql('{ echo(text: "never") }');
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(proxy.accepted - accepted).toBe(4);
  });

  it('never sends a mutation again', async () => {
    await withoutPooledConnections();
    const accepted = proxy.accepted;
    proxy.setFault({ kind: 'reset' });
    // Were it sent again, a later attempt would get through and run it.
    forwardAfter(1);
    const answer = await graphql('mutation { bump }');
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(proxy.accepted - accepted).toBe(1);
    expect(resolved.bump).toBe(0);
    // The subgraph is fine again: the next mutation runs once.
    await pause(50);
    expect(await graphql('mutation { bump }')).toEqual({ status: 200, body: { data: { bump: 1 } } });
  });
});
