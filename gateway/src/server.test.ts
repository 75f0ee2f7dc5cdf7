import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeServices } from '@apollo/composition';
import { gql } from 'graphql-tag';
import {
  createLogger,
  createSubgraphServer,
  Health,
  hasRole,
  type RunningServer,
} from '@traveloure/platform';
import { testSigningSecret } from '@traveloure/platform/testing';
import { loadGatewayConfig } from './config.ts';
import { createGateway, type RunningGateway } from './server.ts';
import { mintToken } from './tokens.ts';

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Viewer {
    id: String
    roles: [String!]!
    requestId: String!
    isAdmin: Boolean!
  }
  type Query {
    viewer: Viewer!
    slow: String
  }
`;

const env = {
  GATEWAY_SIGNING_SECRET: testSigningSecret,
  JWT_SECRET: 'gateway-test-jwt-secret-0123456789abcdef',
  LOG_LEVEL: 'silent',
  SUBGRAPH_TIMEOUT_MS: '300',
};

describe('gateway core', () => {
  let subgraph: RunningServer;
  let gateway: RunningGateway;
  beforeAll(async () => {
    const server = await createSubgraphServer({
      name: 'probe',
      typeDefs,
      resolvers: {
        Query: {
          viewer: (_parent: unknown, _args: unknown, context: any) => ({
            id: context.identity.user?.id ?? null,
            roles: context.identity.user?.roles ?? [],
            requestId: context.requestId,
            isAdmin: hasRole(context.identity, 'ADMIN'),
          }),
          slow: () => new Promise((resolve) => setTimeout(() => resolve('late'), 1_000)),
        },
      },
      logger: createLogger('probe', { level: 'silent' }),
      health: new Health('test'),
      signingSecret: testSigningSecret,
      createContext: () => ({}),
    });
    subgraph = await server.listen(0, '127.0.0.1');
    const composed = composeServices([{ name: 'probe', url: subgraph.url, typeDefs }]);
    if (composed.errors) throw composed.errors[0];
    const created = await createGateway({
      config: loadGatewayConfig(env),
      logger: createLogger('gateway', { level: 'silent' }),
      supergraphSdl: composed.supergraphSdl,
    });
    gateway = await created.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await gateway?.close();
    await subgraph?.close();
  });

  const query = async (body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: body }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };

  it('passes the verified user and the request id to the subgraph', async () => {
    const token = await mintToken({ role: 'ADMIN', userId: 'admin-1', secret: env.JWT_SECRET });
    const result = await query('{ viewer { id roles requestId isAdmin } }', {
      authorization: `Bearer ${token}`,
      'x-request-id': 'trace-me-12345',
    });
    expect(result.status).toBe(200);
    expect(result.headers.get('x-request-id')).toBe('trace-me-12345');
    expect(result.body.data.viewer).toEqual({ id: 'admin-1', roles: ['ADMIN'], requestId: 'trace-me-12345', isAdmin: true });
  });

  it('serves anonymous callers as anonymous', async () => {
    const result = await query('{ viewer { id roles } }');
    expect(result.body.data.viewer).toEqual({ id: null, roles: [] });
    expect(result.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a bad, expired or foreign token with 401 and the request id', async () => {
    const expired = await mintToken({ role: 'TRAVELER', secret: env.JWT_SECRET, expiresIn: Math.floor(Date.now() / 1000) - 10 });
    const foreign = await mintToken({ role: 'ADMIN', secret: 'another-secret-entirely-0123456789abcdef' });
    for (const authorization of ['Bearer not-a-jwt', `Bearer ${expired}`, `Bearer ${foreign}`, 'Basic abc']) {
      const result = await query('{ viewer { id } }', { authorization, 'x-request-id': 'bad-token-000001' });
      expect(result.status).toBe(401);
      expect(result.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', requestId: 'bad-token-000001' });
      expect(result.body.data).toBeUndefined();
    }
  });

  it('reports readiness of every subgraph', async () => {
    const response = await fetch(gateway.url.replace('/graphql', '/health/ready'));
    const report = (await response.json()) as any;
    expect(response.status).toBe(200);
    expect(report.checks['subgraph:probe'].status).toBe('up');
  });

  it('gives up on a subgraph slower than SUBGRAPH_TIMEOUT_MS', async () => {
    const result = await query('{ slow }', { 'x-request-id': 'slow-subgraph-01' });
    expect(result.body.errors[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'probe', requestId: 'slow-subgraph-01' });
  });

  it('turns an unreachable subgraph into UPSTREAM_UNAVAILABLE and an unready gateway', async () => {
    await subgraph.close();
    await new Promise<void>((resolve) => subgraph.httpServer.close(() => resolve()));
    const result = await query('{ viewer { id } }', { 'x-request-id': 'subgraph-down-01' });
    expect(result.body.errors[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', requestId: 'subgraph-down-01' });
    expect(JSON.stringify(result.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const ready = await fetch(gateway.url.replace('/graphql', '/health/ready'));
    expect(ready.status).toBe(503);
  });
});
