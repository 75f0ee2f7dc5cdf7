import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-tag';
import { createLogger } from './logger.ts';
import { Health } from './health.ts';
import { createSubgraphServer, type RunningServer } from './subgraph-server.ts';
import { signedHeaders, testSigningSecret } from './testing/index.ts';
import { notFound } from './errors.ts';
import { dateScalars } from './scalars.ts';
import { currentRequestContext } from './request-context.ts';

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  scalar Date
  type Query {
    whoami: String
    tracked: Boolean
    missing: String
    broken: String
    dayAfter(date: Date!): Date
  }
`;

describe('createSubgraphServer', () => {
  let running: RunningServer;
  let base: string;
  let databaseUp = true;
  beforeAll(async () => {
    const health = new Health('1.2.3');
    health.register(
      'database',
      async () => {
        if (!databaseUp) throw new Error('connection refused');
      },
      { critical: true },
    );
    health.register('cache', async () => ({ status: 'down', detail: 'redis gone' }), { critical: false });
    const server = await createSubgraphServer<{ userId?: string }>({
      name: 'demo',
      typeDefs,
      resolvers: {
        ...dateScalars(),
        Query: {
          dayAfter: (_parent: unknown, args: { date: string }) => args.date,
          whoami: (_parent: unknown, _args: unknown, context: any) =>
            `${context.userId}:${context.requestId}`,
          tracked: () => currentRequestContext() !== undefined,
          missing: () => {
            throw notFound('Widget', 'w1');
          },
          broken: () => {
            throw new Error('database password is hunter2');
          },
        },
      },
      logger: createLogger('demo', { level: 'silent' }),
      health,
      signingSecret: testSigningSecret,
      createContext: ({ identity }) => {
        if (identity.user?.id === 'db-down') throw Object.assign(new Error('boom'), { code: 'ECONNREFUSED' });
        if (identity.user?.id === 'buggy') throw new TypeError('cannot read secret-detail of undefined');
        return { userId: identity.user?.id };
      },
    });
    running = await server.listen(0, '127.0.0.1');
    base = running.url.replace('/graphql', '');
  });
  afterAll(() => running?.close());

  const post = async (query: string, headers: Record<string, string>) => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };

  it('refuses a call without the gateway signature with 401 and a coded error', async () => {
    const { status, body, headers } = await post('{ whoami }', {
      'content-type': 'application/json',
      'x-request-id': 'client-req-0001',
    });
    expect(status).toBe(401);
    expect(body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', requestId: 'client-req-0001' });
    expect(headers.get('x-request-id')).toBe('client-req-0001');
    expect(body.data).toBeUndefined();
  });

  it('serves a signed call with the identity and the gateway request id', async () => {
    const headers = await signedHeaders('demo', { id: 'user-7' });
    const { status, body } = await post('{ whoami }', headers);
    expect(status).toBe(200);
    expect(body.data.whoami).toMatch(/^user-7:[0-9a-f-]{36}$/);
  });

  it('passes coded errors through and hides unexpected ones', async () => {
    const headers = await signedHeaders('demo', { id: 'user-7' });
    const missing = await post('{ missing }', headers);
    expect(missing.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect(missing.body.errors[0].message).toBe('Widget w1 was not found.');
    const broken = await post('{ broken }', headers);
    const error = broken.body.errors[0];
    expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error.extensions.requestId).toBeTruthy();
    expect(JSON.stringify(broken.body)).not.toContain('hunter2');
    expect(error.extensions.stacktrace).toBeUndefined();
  });

  it('serves each request in its request context, so refusals made before any plugin carry the request id', async () => {
    const headers = await signedHeaders('demo', { id: 'user-7' }, undefined, { requestId: 'req-batch-1' });
    const { body } = await post('{ tracked }', headers);
    expect(body.data.tracked).toBe(true);
    // Apollo refuses a batch before the request pipeline (and its plugins) runs.
    const batch = await fetch(running.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '[]',
    });
    expect(batch.status).toBe(400);
    expect(((await batch.json()) as any).errors[0].extensions).toEqual({
      code: 'BAD_REQUEST',
      requestId: 'req-batch-1',
    });
  });

  it('answers a context that cannot be built with a coded error and the request id', async () => {
    const down = await post(
      '{ whoami }',
      await signedHeaders('demo', { id: 'db-down' }, undefined, { requestId: 'req-db-down-1' }),
    );
    expect(down.body.errors[0].extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      requestId: 'req-db-down-1',
    });
    const buggy = await post(
      '{ whoami }',
      await signedHeaders('demo', { id: 'buggy' }, undefined, { requestId: 'req-buggy-1' }),
    );
    expect(buggy.body.errors[0].extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: 'req-buggy-1',
    });
    expect(JSON.stringify(buggy.body)).not.toContain('secret-detail');
  });

  it('reports a scalar refusing a literal or a variable as BAD_USER_INPUT with the request id', async () => {
    const headers = await signedHeaders('demo', { id: 'user-7' });
    const literal = await post('{ dayAfter(date: "2027-13-45") }', headers);
    expect(literal.body.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      requestId: expect.any(String),
    });
    expect(literal.body.errors[0].message).toContain('real calendar day');
    const fine = await post('{ dayAfter(date: "2027-12-31") }', headers);
    expect(fine.body.data.dayAfter).toBe('2027-12-31');
  });

  it('answers liveness, readiness and metrics without a signature', async () => {
    const live = await fetch(`${base}/health`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    const report = (await ready.json()) as any;
    expect(ready.status).toBe(200);
    expect(report).toMatchObject({
      status: 'degraded',
      version: '1.2.3',
      checks: { database: { status: 'up' }, cache: { status: 'down' } },
    });
    databaseUp = false;
    const down = await fetch(`${base}/health/ready`);
    expect(down.status).toBe(503);
    expect(((await down.json()) as any).checks.database).toMatchObject({
      status: 'down',
      detail: 'connection refused',
    });
    databaseUp = true;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{service="demo",method="POST",route="\/graphql",status_code="200"\}/,
    );
    // prom-client's process and Node.js defaults ride along.
    expect(metrics).toMatch(/^process_cpu_user_seconds_total /m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });
});

describe('createSubgraphServer shutdown', () => {
  it('turns readiness 503, lets the in-flight request finish, then closes resources', async () => {
    const health = new Health('1.2.3');
    const events: string[] = [];
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = await createSubgraphServer({
      name: 'draining',
      typeDefs,
      resolvers: {
        Query: {
          whoami: async () => {
            entered();
            await released;
            events.push('request finished');
            return 'done';
          },
        },
      },
      logger: createLogger('draining', { level: 'silent' }),
      health,
      signingSecret: testSigningSecret,
      createContext: () => ({}),
      onShutdown: async () => {
        events.push('resources closed');
      },
    });
    const running = await server.listen(0, '127.0.0.1');
    const inFlight = fetch(running.url, {
      method: 'POST',
      headers: await signedHeaders('draining', { id: 'user-7' }),
      body: JSON.stringify({ query: '{ whoami }' }),
    });
    await started;

    const closing = running.close();
    expect(health.isShuttingDown).toBe(true);
    const report = await health.readiness();
    expect(report.status).toBe('unavailable');
    expect(report.checks.shutdown).toEqual({ status: 'down', detail: 'shutting down' });
    // Nothing is closed under the request still being served.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual([]);

    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { whoami: 'done' } });
    await closing;
    expect(events).toEqual(['request finished', 'resources closed']);
    await expect(fetch(running.url.replace('/graphql', '/health'))).rejects.toThrow();
  });
});
