import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-tag';
import { GraphQLError, GraphQLScalarType } from 'graphql';
import http from 'node:http';
import { hasRole, type RunningServer } from '@traveloure/platform';
import type { RunningGateway } from './server.ts';
import { gatewayTestEnv, startGatewayOver, startProbeSubgraph } from './test-support.ts';
import { mintToken } from './tokens.ts';

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Viewer {
    id: String
    roles: [String!]!
    requestId: String!
    isAdmin: Boolean!
  }
  "Refuses the literal value 'bad', as a strict custom scalar would."
  scalar Strict
  type Query {
    viewer: Viewer!
    slow: String
    echo(value: Strict!): String
  }
`;

const env = { ...gatewayTestEnv, SUBGRAPH_TIMEOUT_MS: '300' };

const refuseBad = (value: unknown) => {
  if (value === 'bad')
    throw new GraphQLError('Strict refuses "bad"', { extensions: { code: 'BAD_USER_INPUT' } });
  return value;
};

describe('gateway core', () => {
  let subgraph: RunningServer;
  let gateway: RunningGateway;
  beforeAll(async () => {
    subgraph = await startProbeSubgraph(typeDefs, {
      Strict: new GraphQLScalarType({
        name: 'Strict',
        parseValue: refuseBad,
        parseLiteral: (ast) => refuseBad((ast as { value?: string }).value),
      }),
      Query: {
        viewer: (_parent: unknown, _args: unknown, context: any) => ({
          id: context.identity.user?.id ?? null,
          roles: context.identity.user?.roles ?? [],
          requestId: context.requestId,
          isAdmin: hasRole(context.identity, 'ADMIN'),
        }),
        echo: (_parent: unknown, args: { value: string }) => args.value,
        slow: () => new Promise((resolve) => setTimeout(() => resolve('late'), 1_000)),
      },
    });
    gateway = await startGatewayOver([{ name: 'probe', url: subgraph.url, typeDefs }], env);
  });
  afterAll(async () => {
    await gateway?.close();
    await subgraph?.close();
  });

  const query = async (
    body: string,
    headers: Record<string, string> = {},
    variables?: Record<string, unknown>,
  ) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: body, variables }),
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
    expect(result.body.data.viewer).toEqual({
      id: 'admin-1',
      roles: ['ADMIN'],
      requestId: 'trace-me-12345',
      isAdmin: true,
    });
  });

  it('serves anonymous callers as anonymous', async () => {
    const result = await query('{ viewer { id roles } }');
    expect(result.body.data.viewer).toEqual({ id: null, roles: [] });
    expect(result.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a bad, expired or foreign token with 401 and the request id', async () => {
    const expired = await mintToken({
      role: 'TRAVELER',
      secret: env.JWT_SECRET,
      expiresIn: Math.floor(Date.now() / 1000) - 10,
    });
    const foreign = await mintToken({ role: 'ADMIN', secret: 'another-secret-entirely-0123456789abcdef' });
    for (const authorization of ['Bearer not-a-jwt', `Bearer ${expired}`, `Bearer ${foreign}`, 'Basic abc']) {
      const result = await query('{ viewer { id } }', { authorization, 'x-request-id': 'bad-token-000001' });
      expect(result.status).toBe(401);
      expect(result.body.errors[0].extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        requestId: 'bad-token-000001',
      });
      expect(result.body.data).toBeUndefined();
    }
  });

  it('keeps route labels bounded under a scan of 2,000 distinct paths', async () => {
    const seriesOf = async () =>
      (await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text())
        .split('\n')
        .filter((line) => line.startsWith('http_request_duration_seconds_count{service="gateway"'));
    const before = await seriesOf();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const port = Number(new URL(gateway.url).port);
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        // Raw paths: fetch would normalise `/explorer/../..`, a scanner does not.
        http
          .get({ host: '127.0.0.1', port, path, agent }, (response) => {
            response.resume();
            response.on('end', () => resolve(response.statusCode!));
          })
          .on('error', reject);
      });
    const paths = Array.from({ length: 1_000 }, (_, n) => [
      `/explorer/../../x${n}`,
      `/wp-admin/x${n}.php`,
    ]).flat();
    for (let start = 0; start < paths.length; start += 50) {
      await Promise.all(paths.slice(start, start + 50).map(get));
    }
    agent.destroy();
    const after = await seriesOf();
    expect(paths).toHaveLength(2_000);
    expect(after.length - before.length).toBeLessThanOrEqual(4);
    expect(after.join('\n')).not.toMatch(/x\d+/);
  });

  it('reports readiness of every subgraph', async () => {
    const response = await fetch(gateway.url.replace('/graphql', '/health/ready'));
    const report = (await response.json()) as any;
    expect(response.status).toBe(200);
    expect(report.checks['subgraph:probe'].status).toBe('up');
  });

  it("passes a subgraph's refusal of bad input through with its code", async () => {
    const result = await query(
      'query($value: Strict!) { echo(value: $value) }',
      { 'x-request-id': 'strict-scalar-01' },
      { value: 'bad' },
    );
    expect(result.body.errors[0]).toMatchObject({
      message: expect.stringContaining('Strict refuses'),
      extensions: { code: 'BAD_USER_INPUT', requestId: 'strict-scalar-01' },
    });
    const literal = await query('{ echo(value: "bad") }');
    expect(literal.body.errors[0].message).toContain('Strict refuses');
    expect(literal.body.errors[0].extensions.code).not.toBe('UPSTREAM_UNAVAILABLE');
    const fine = await query('{ echo(value: "good") }');
    expect(fine.body.data).toEqual({ echo: 'good' });
  });

  it('gives up on a subgraph slower than SUBGRAPH_TIMEOUT_MS', async () => {
    const result = await query('{ slow }', { 'x-request-id': 'slow-subgraph-01' });
    expect(result.body.errors[0].extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      service: 'probe',
      requestId: 'slow-subgraph-01',
    });
  });

  it('turns an unreachable subgraph into UPSTREAM_UNAVAILABLE at each field it nulled; the gateway stays ready', async () => {
    await subgraph.close();
    await new Promise<void>((resolve) => subgraph.httpServer.close(() => resolve()));
    const result = await query('{ viewer { id } other: slow }', { 'x-request-id': 'subgraph-down-01' });
    expect(result.body.data).toBeNull();
    expect(result.body.errors).toHaveLength(2);
    for (const error of result.body.errors) {
      expect(error.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        service: 'probe',
        requestId: 'subgraph-down-01',
      });
    }
    expect(result.body.errors.map((error: { path: string[] }) => error.path)).toEqual([
      ['viewer'],
      ['other'],
    ]);
    expect(JSON.stringify(result.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const ready = await fetch(gateway.url.replace('/graphql', '/health/ready'));
    expect(ready.status).toBe(200);
    const report = (await ready.json()) as any;
    expect(report.status).toBe('degraded');
    expect(report.checks['subgraph:probe'].status).toBe('down');
    expect(report.checks.supergraph.status).toBe('up');
  });
});

describe('gateway metrics in production settings', () => {
  let subgraph: RunningServer;
  let gateway: RunningGateway;
  beforeAll(async () => {
    subgraph = await startProbeSubgraph(typeDefs, { Query: { slow: () => 'fast' } });
    // METRICS_PORT 0: a free port in place of production's 9464, which parallel tests share.
    gateway = await startGatewayOver([{ name: 'probe', url: subgraph.url, typeDefs }], {
      ...env,
      NODE_ENV: 'production',
      METRICS_PORT: '0',
      METRICS_HOST: '127.0.0.1',
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await subgraph?.close();
  });

  it('serves /metrics only on the metrics port; the public port keeps its probes', async () => {
    const answered = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ slow }' }),
    });
    expect(await answered.json()).toEqual({ data: { slow: 'fast' } });
    const publicMetrics = await fetch(gateway.url.replace('/graphql', '/metrics'));
    expect(publicMetrics.status).toBe(404);
    expect(await publicMetrics.text()).not.toContain('http_request_duration_seconds');
    expect((await fetch(gateway.url.replace('/graphql', '/health'))).status).toBe(200);
    expect((await fetch(gateway.url.replace('/graphql', '/health/ready'))).status).toBe(200);

    expect(gateway.metricsUrl).toBeDefined();
    expect(new URL(gateway.metricsUrl!).port).not.toBe(new URL(gateway.url).port);
    const scraped = await fetch(gateway.metricsUrl!);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(
      /http_request_duration_seconds_count\{service="gateway",method="POST",route="\/graphql",status_code="200"\}/,
    );
  });
});
