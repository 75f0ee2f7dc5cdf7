/**
 * Changes without dropped requests, under load (autocannon) through the gateway, every answer a
 * 200 whose body is checked:
 * - the supergraph file is replaced several times the way a Kubernetes ConfigMap volume replaces
 *   it (a new directory, then the `..data` symlink swapped), and the gateway serves each version
 *   without a restart: a field only the new one has is served after the reload;
 * - trip runs as two replicas behind a load balancer standing in for its Kubernetes Service;
 *   each replica in turn goes through the shutdown path SIGTERM runs (readiness off, drain,
 *   close) and is started again.
 */
import autocannon from 'autocannon';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, loadGatewayConfig, mintToken, type RunningGateway } from '@traveloure/gateway';
import { loadServiceDefinitions } from '@traveloure/supergraph';
import {
  createLogger,
  startService,
  type ServiceDefinition,
  type StartedService,
} from '@traveloure/platform';
import { readSubgraphRegistry, repositoryRoot } from '@traveloure/platform/subgraph-registry';
import {
  createTestDatabase,
  serviceEnv,
  startLoadBalancer,
  type LoadBalancer,
  type TestDatabase,
} from '@traveloure/testing';

const jwtSecret = 'ops-changes-under-load-jwt-secret-0123456789';
const sleep = (ms: number) => new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
const users = Array.from({ length: 8 }, (_, index) => `load-traveler-${index}`);
const ME = '{ me { id } }';

/** The supergraph of the registry's subgraphs, trip's SDL passed through `editTrip`. */
function compose(editTrip: (sdl: string) => string = (sdl) => sdl): string {
  const services = readSubgraphRegistry().map(({ name, routingUrl, schemaFile }) => {
    const sdl = readFileSync(resolve(repositoryRoot, schemaFile), 'utf8');
    return { name, url: routingUrl, typeDefs: parse(name === 'trip' ? editTrip(sdl) : sdl) };
  });
  const result = composeServices(services);
  if (result.errors) throw result.errors[0];
  return result.supergraphSdl;
}

/** A ConfigMap-mounted directory: `supergraph.graphql` -> `..data/supergraph.graphql`, `..data` -> a version. */
function configMapDirectory() {
  const root = mkdtempSync(join(tmpdir(), 'supergraph-configmap-'));
  let version = 0;
  const publish = (sdl: string) => {
    version++;
    const dir = `..2026_12_02_${version}`;
    mkdirSync(join(root, dir));
    writeFileSync(join(root, dir, 'supergraph.graphql'), sdl);
    // Kubernetes' atomic writer: the new version beside the old, then one rename of the symlink.
    symlinkSync(dir, join(root, '..data_tmp'));
    renameSync(join(root, '..data_tmp'), join(root, '..data'));
    if (version === 1) symlinkSync('..data/supergraph.graphql', join(root, 'supergraph.graphql'));
  };
  return { path: join(root, 'supergraph.graphql'), publish, remove: () => rmSync(root, { recursive: true }) };
}

interface LoadResult {
  requests: number;
  wrongAnswers: string[];
  non2xx: number;
  errors: number;
  timeouts: number;
  p99: number;
}

/** `{ me { id } }` from eight users (one per connection) for `seconds`; every body checked. */
async function load(url: string, seconds: number, tokens: string[]): Promise<LoadResult> {
  const wrongAnswers: string[] = [];
  let client = 0;
  const result = await autocannon({
    url,
    connections: tokens.length,
    duration: seconds,
    setupClient: (connection) => {
      const index = client++ % tokens.length;
      connection.setHeaders({ 'content-type': 'application/json', authorization: `Bearer ${tokens[index]}` });
    },
    requests: [
      {
        method: 'POST',
        body: JSON.stringify({ query: ME }),
        onResponse: (status, body) => {
          const parsed = (() => {
            try {
              return JSON.parse(body) as { data?: { me?: { id?: string } }; errors?: unknown };
            } catch {
              return undefined;
            }
          })();
          const id = parsed?.data?.me?.id;
          const right =
            status === 200 &&
            id !== undefined &&
            users.includes(id) &&
            JSON.stringify(parsed) === JSON.stringify({ data: { me: { id } } });
          if (!right && wrongAnswers.length < 20) wrongAnswers.push(`${status} ${body.slice(0, 300)}`);
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    wrongAnswers,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p99: result.latency.p99,
  };
}

let subgraphDatabase: TestDatabase;
let gatewayDatabase: TestDatabase;
let tripDefinition: ServiceDefinition<any>;
const replicas: (StartedService<any> | undefined)[] = [];
const replicaPorts: number[] = [];
let balancer: LoadBalancer;
let gateway: RunningGateway;
let supergraphFiles: ReturnType<typeof configMapDirectory>;
let tokens: string[];

const withoutUserField = (sdl: string) => {
  const edited = sdl.replace(/\n\s*"A user by id[^\n]*\n\s*user\("User id\." id: ID!\): User/, '');
  if (edited === sdl) throw new Error('trip SDL no longer has Query.user as this test expects');
  return edited;
};
const fullSupergraph = compose();
const oldSupergraph = compose(withoutUserField);
const describedSupergraph = compose((sdl) =>
  sdl.replace('"The signed-in user (created', '"The signed-in caller (created'),
);

const env = (database: TestDatabase): Record<string, string> => ({
  ...serviceEnv({ databaseUrl: database.url, jwtSecret, logLevel: 'silent', poolMax: 4 }),
  SEED_DEMO_DATA: 'false',
  TRIP_POPULARITY_REFRESH_MS: '0',
  // Every request must reach a replica: no cached or rate-limited answers.
  RESPONSE_CACHE_ENABLED: 'false',
  SUBGRAPH_FETCH_CACHE_ENABLED: 'false',
  RATE_LIMIT_USER: '10000000',
  SHUTDOWN_GRACE_MS: '5000',
});

const startReplica = (index: number) =>
  startService(tripDefinition, {
    env: env(subgraphDatabase),
    port: replicaPorts[index] ?? 0,
    host: '127.0.0.1',
    seed: false,
    logger: createLogger(`trip-${index}`, { level: 'silent' }),
  });

const gatewayGraphql = async (query: string) => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[0]}` },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
};

beforeAll(async () => {
  [subgraphDatabase, gatewayDatabase] = await Promise.all([
    createTestDatabase('ops_changes_subgraphs'),
    createTestDatabase('ops_changes_gateway'),
  ]);
  [tripDefinition] = (await loadServiceDefinitions(['trip'])) as [ServiceDefinition<any>];
  // One after the other: the second finds the migrations applied.
  for (const index of [0, 1]) {
    const replica = await startReplica(index);
    replicas[index] = replica;
    replicaPorts[index] = replica.port;
  }
  balancer = await startLoadBalancer(
    replicaPorts.map((port) => ({ port, readyUrl: `http://127.0.0.1:${port}/health/ready` })),
    { readinessPollMs: 50 },
  );
  expect(balancer.ready().sort()).toEqual([...replicaPorts].sort());

  supergraphFiles = configMapDirectory();
  supergraphFiles.publish(oldSupergraph);
  const created = await createGateway({
    config: loadGatewayConfig({
      ...env(gatewayDatabase),
      SUPERGRAPH_PATH: supergraphFiles.path,
      SUPERGRAPH_POLL_MS: '100',
    }),
    logger: createLogger('gateway', { level: 'silent' }),
    subgraphUrls: { trip: balancer.url('/graphql') },
  });
  gateway = await created.listen(0, '127.0.0.1');
  tokens = await Promise.all(
    users.map((userId) =>
      mintToken({
        role: 'TRAVELER',
        userId,
        secret: jwtSecret,
        region: 'US_EAST',
        email: `${userId}@example.test`,
      }),
    ),
  );
  // Each user exists before the load (created on first sign-in).
  for (const token of tokens) {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: ME }),
    });
    expect(response.status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await balancer?.close();
  for (const replica of replicas) await replica?.close();
  supergraphFiles?.remove();
  await Promise.all([subgraphDatabase?.drop(), gatewayDatabase?.drop()]);
});

const metric = async (name: string) => {
  const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
};

/** Every request of a load run answered right: no wrong answer, failure or timeout, and enough of them. */
const expectEveryRequestAnswered = (result: Awaited<ReturnType<typeof load>>) => {
  expect(result.wrongAnswers).toEqual([]);
  expect({ non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts }).toEqual({
    non2xx: 0,
    errors: 0,
    timeouts: 0,
  });
  expect(result.requests).toBeGreaterThan(500);
};

describe('changes under load', () => {
  it('serves every supergraph the ConfigMap swaps in, without a failed request', async () => {
    const before = await gatewayGraphql('{ user(id: "load-traveler-0") { id } }');
    expect(before.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const running = load(gateway.url, 6, tokens);
    for (const version of [fullSupergraph, describedSupergraph, oldSupergraph, fullSupergraph]) {
      await sleep(1_000);
      supergraphFiles.publish(version);
    }
    const result = await running;
    console.log(
      `supergraph reloads under load: ${result.requests} requests, p99 ${result.p99} ms, wrong ${result.wrongAnswers.length}`,
    );
    expectEveryRequestAnswered(result);
    expect(await metric('gateway_supergraph_reloads_total{service="gateway",result="applied"}')).toBe(4);

    // The last version has Query.user: served without a restart, and published on /schema.graphql.
    const after = await gatewayGraphql('{ user(id: "load-traveler-0") { id } }');
    expect(after).toEqual({ status: 200, body: { data: { user: { id: 'load-traveler-0' } } } });
    const published = await (await fetch(gateway.url.replace('/graphql', '/schema.graphql'))).text();
    expect(published).toContain('user(');
  }, 60_000);

  it('keeps the previous supergraph when the new one does not build', async () => {
    supergraphFiles.publish(fullSupergraph.replace('type Query', 'type Query @join__type(graph: NOWHERE)'));
    await sleep(500);
    expect(await metric('gateway_supergraph_reloads_total{service="gateway",result="rejected"}')).toBe(1);
    const still = await gatewayGraphql('{ user(id: "load-traveler-0") { id } }');
    expect(still).toEqual({ status: 200, body: { data: { user: { id: 'load-traveler-0' } } } });
    supergraphFiles.publish(fullSupergraph);
  });

  it('loses no request while each trip replica is stopped (SIGTERM path) and started again', async () => {
    const before = new Map(balancer.connections);
    const running = load(gateway.url, 8, tokens);
    for (const index of [0, 1]) {
      await sleep(1_200);
      // What installShutdown runs on SIGTERM: readiness 503, drain in-flight requests, close.
      await replicas[index]!.close();
      replicas[index] = undefined;
      await sleep(500);
      replicas[index] = await startReplica(index);
      const deadline = Date.now() + 5_000;
      while (!balancer.ready().includes(replicaPorts[index]!) && Date.now() < deadline) await sleep(20);
      expect(balancer.ready()).toContain(replicaPorts[index]);
    }
    const result = await running;
    const retries = await metric('gateway_subgraph_fetch_retries_total{service="gateway",subgraph="trip"}');
    console.log(
      `replica restarts under load: ${result.requests} requests, p99 ${result.p99} ms, wrong ${result.wrongAnswers.length}, retried fetches ${retries}`,
    );
    expectEveryRequestAnswered(result);
    // Both replicas took new connections during the run: the traffic really moved between them.
    for (const port of replicaPorts) {
      expect(balancer.connections.get(port) ?? 0).toBeGreaterThan(before.get(port) ?? 0);
    }
  }, 90_000);
});
