/**
 * The gateway's response cache over a small subgraph that counts its resolver calls: hits cost
 * no subgraph call, entries follow the subgraph cache's tag invalidations, never cross callers,
 * and the edge's checks (rate limits, CSRF prevention, safelist) still apply to hits.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'graphql';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  createRedis,
  createDataCache,
  type Identity,
  type Redis,
  type DataCache,
  type RunningServer,
} from '@traveloure/platform';
import {
  createTestDatabase,
  startPrivateRedis,
  type PrivateRedis,
  type TestDatabase,
} from '@traveloure/testing';
import { createGateway, loadGatewayConfig, mintToken, type RunningGateway } from '@traveloure/gateway';
import { sha256 } from '@traveloure/gateway/edge/index';
import { edgeGatewayEnv, fixtureSchemaHead, manifestOf, startFixtureSubgraph } from './edge-fixture.ts';

const jwtSecret = 'response-cache-test-jwt-secret-0123456789';
const logger = createLogger('response-cache-test', { level: process.env.LOG_LEVEL ?? 'silent' });

const typeDefs = parse(/* GraphQL */ `
  ${fixtureSchemaHead}
  type Destination @key(fields: "code") @cacheControl(maxAge: 120) {
    code: ID!
    name: String!
  }
  type Query {
    destinations(first: Int = 20): [Destination!]! @cacheControl(maxAge: 120)
    destination(code: ID!): Destination @cacheControl(maxAge: 120)
    "Who is calling: no hint, so maxAge 0."
    me: String
    "Who is calling, hinted private: kept per identity."
    profile: String @cacheControl(maxAge: 60, scope: PRIVATE)
    "A public field that fails."
    broken: String @cacheControl(maxAge: 120)
  }
  type Mutation {
    renameDestination(code: ID!, name: String!): Destination
  }
`);

const names = new Map([
  ['PAR', 'Paris'],
  ['LON', 'London'],
  ['NYC', 'New York'],
]);
const calls = { destinations: 0, destination: 0, me: 0, profile: 0, broken: 0 };
let subgraphCache: DataCache;
const whoOf = (identity: Identity) => identity.user?.id ?? identity.apiKey?.owner ?? 'anonymous';

const resolvers = {
  Query: {
    destinations: (_: unknown, args: { first: number }) => {
      calls.destinations++;
      return [...names].slice(0, args.first).map(([code, name]) => ({ code, name }));
    },
    destination: (_: unknown, args: { code: string }) => {
      calls.destination++;
      const name = names.get(args.code);
      return name ? { code: args.code, name } : null;
    },
    me: (_: unknown, __: unknown, context: { identity: Identity }) => {
      calls.me++;
      return whoOf(context.identity);
    },
    profile: (_: unknown, __: unknown, context: { identity: Identity }) => {
      calls.profile++;
      return `profile of ${whoOf(context.identity)}`;
    },
    broken: () => {
      calls.broken++;
      throw new Error('broken on purpose');
    },
  },
  Mutation: {
    // As a subgraph would: change, then invalidate its cache's tag for the entity.
    renameDestination: async (_: unknown, args: { code: string; name: string }) => {
      names.set(args.code, args.name);
      await subgraphCache.invalidateTags([`destination:${args.code}`]);
      return { code: args.code, name: args.name };
    },
  },
  Destination: {
    __resolveReference: (ref: { code: string }) => ({ code: ref.code, name: names.get(ref.code) }),
  },
};

const operations = {
  Destinations:
    'query Destinations($first: Int = 20) {\n  destinations(first: $first) {\n    code\n    name\n  }\n}',
  TwoRoots:
    'query TwoRoots {\n  destinations(first: 1) {\n    code\n  }\n  destination(code: "LON") {\n    name\n  }\n}',
  Me: 'query Me {\n  me\n}',
  Profile: 'query Profile {\n  profile\n}',
  Broken: 'query Broken {\n  broken\n}',
};

interface Gateway {
  running: RunningGateway;
  get(
    operation: keyof typeof operations,
    variables?: object,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; json: any }>;
}

let subgraph: RunningServer;
let supergraphSdl: string;
let subgraphRedis: Redis;
let manifestDir: string;
const keyPrefix = 'response-cache-e2e';
const cleanups: (() => Promise<unknown>)[] = [];

async function startGateway(
  label: string,
  env: Record<string, string>,
  shared?: { database: TestDatabase; redis: PrivateRedis },
): Promise<Gateway & { database: TestDatabase; redis: PrivateRedis }> {
  const database = shared?.database ?? (await createTestDatabase(label));
  const redis = shared?.redis ?? (await startPrivateRedis());
  if (!shared)
    cleanups.push(
      () => database.drop(),
      () => redis.stop(),
    );
  const created = await createGateway({
    config: loadGatewayConfig({
      ...edgeGatewayEnv({ database, redis, jwtSecret, manifestPath: join(manifestDir, 'manifest.json') }),
      // Every call that is not a response-cache hit must reach the counting subgraph: the cache
      // of subgraph answers below the pipeline is tested on its own (subgraph-fetch-cache.test.ts).
      SUBGRAPH_FETCH_CACHE_ENABLED: 'false',
      ...env,
    }),
    logger,
    supergraphSdl,
    subgraphUrls: { fixture: subgraph.url },
  });
  const running = await created.listen(0, '127.0.0.1');
  cleanups.unshift(() => running.close());
  return {
    running,
    database,
    redis,
    async get(operation, variables, headers = {}) {
      const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(operations[operation]) } };
      const url = `${running.url}?extensions=${encodeURIComponent(JSON.stringify(extensions))}${
        variables ? `&variables=${encodeURIComponent(JSON.stringify(variables))}` : ''
      }`;
      const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true', ...headers } });
      return { status: response.status, headers: response.headers, json: await response.json() };
    },
  };
}

let main: Awaited<ReturnType<typeof startGateway>>;
const token = (userId: string) => mintToken({ role: 'TRAVELER', userId, secret: jwtSecret });

beforeAll(async () => {
  manifestDir = mkdtempSync(join(tmpdir(), 'response-cache-'));
  writeFileSync(join(manifestDir, 'manifest.json'), JSON.stringify(manifestOf(operations)));
  ({ running: subgraph, supergraphSdl } = await startFixtureSubgraph(typeDefs, resolvers, logger));
  // A deployment's own prefix: the gateway must listen where the subgraphs' caches announce.
  main = await startGateway('response_cache', { REDIS_KEY_PREFIX: keyPrefix });
  // The subgraph's own cache, on the Redis the gateway listens to, as trip's caches are.
  subgraphRedis = createRedis(main.redis.url, logger);
  await vi.waitFor(() => expect(subgraphRedis.status).toBe('ready'));
  subgraphCache = createDataCache({
    service: 'fixture',
    namespace: 'destinations',
    redis: subgraphRedis,
    logger,
    keyPrefix: `${keyPrefix}:cache`,
  });
});

afterAll(async () => {
  await subgraphCache?.close();
  subgraphRedis?.disconnect();
  for (const cleanup of cleanups) await cleanup();
  await subgraph?.close();
  rmSync(manifestDir, { recursive: true, force: true });
});

describe('gateway response cache', () => {
  it('answers a repeated anonymous GET persisted query without calling the subgraph', async () => {
    const before = calls.destinations;
    const first = await main.get('Destinations', { first: 2 }, { 'x-request-id': 'cache-first-0001' });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.json.data.destinations).toEqual([
      { code: 'PAR', name: 'Paris' },
      { code: 'LON', name: 'London' },
    ]);
    expect(calls.destinations).toBe(before + 1);

    const second = await main.get('Destinations', { first: 2 }, { 'x-request-id': 'cache-second-001' });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.json).toEqual(first.json);
    expect(calls.destinations).toBe(before + 1);
    // What must hold on any answer holds on a hit.
    expect(second.headers.get('cache-control')).toBe('max-age=120, public');
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(0);
    expect(second.headers.get('x-request-id')).toBe('cache-second-001');
    expect(second.headers.get('ratelimit-limit')).not.toBeNull();
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.headers.get('x-content-type-options')).toBe('nosniff');

    // Other variables are another entry.
    await main.get('Destinations', { first: 1 });
    expect(calls.destinations).toBe(before + 2);
  });

  it("drops entries when the subgraph cache invalidates an entity's tag", async () => {
    await main.get('Destinations', { first: 3 });
    await main.get('Destinations', { first: 1 }); // holds PAR only
    expect((await main.get('Destinations', { first: 3 })).headers.get('x-cache')).toBe('HIT');
    const before = calls.destinations;

    // A tag no entry holds changes nothing.
    await subgraphCache.invalidateTags(['destination:TYO']);
    // Renaming NYC invalidates `destination:NYC` on the bus.
    const renamed = await fetch(main.running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation { renameDestination(code: "NYC", name: "Big Apple") { name } }',
      }),
    });
    expect(((await renamed.json()) as any).data.renameDestination.name).toBe('Big Apple');
    await vi.waitFor(async () => {
      const answer = await main.get('Destinations', { first: 3 });
      expect(answer.json.data.destinations[2]).toEqual({ code: 'NYC', name: 'Big Apple' });
      expect(answer.headers.get('x-cache')).toBe('MISS');
    });
    expect(calls.destinations).toBe(before + 1);
    // The entry without NYC stayed.
    expect((await main.get('Destinations', { first: 1 })).headers.get('x-cache')).toBe('HIT');
    expect(calls.destinations).toBe(before + 1);
  });

  it('keeps per-identity entries for private answers and never serves them to anyone else', async () => {
    const [alice, bob] = await Promise.all([token('cache-alice'), token('cache-bob')]);
    const before = calls.profile;
    const asAlice = await main.get('Profile', undefined, { authorization: `Bearer ${alice}` });
    expect(asAlice.json.data.profile).toBe('profile of cache-alice');
    expect(asAlice.headers.get('cache-control')).toBe('max-age=60, private');
    const aliceAgain = await main.get('Profile', undefined, { authorization: `Bearer ${alice}` });
    expect(aliceAgain.headers.get('x-cache')).toBe('HIT');
    expect(aliceAgain.json.data.profile).toBe('profile of cache-alice');

    const asBob = await main.get('Profile', undefined, { authorization: `Bearer ${bob}` });
    expect(asBob.headers.get('x-cache')).toBe('MISS');
    expect(asBob.json.data.profile).toBe('profile of cache-bob');
    // Anonymous: a private answer is not kept for a caller without identity.
    const anonymous = await main.get('Profile');
    expect(anonymous.json.data.profile).toBe('profile of anonymous');
    expect((await main.get('Profile')).headers.get('x-cache')).toBe('MISS');
    expect(calls.profile).toBe(before + 4);

    // A public entry made by an anonymous caller is not served to a signed-in one either.
    await main.get('Destinations', { first: 2 });
    const signedIn = await main.get('Destinations', { first: 2 }, { authorization: `Bearer ${alice}` });
    expect(signedIn.headers.get('x-cache')).toBe('MISS');
  });

  it('never keeps answers with maxAge 0, errors, or POSTs', async () => {
    const alice = await token('cache-alice');
    const me = calls.me;
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await main.get('Me', undefined, { authorization: `Bearer ${alice}` });
      expect(answer.json.data.me).toBe('cache-alice');
      expect(answer.headers.get('x-cache')).toBe('MISS');
    }
    expect(calls.me).toBe(me + 2);

    const broken = calls.broken;
    await main.get('Broken');
    const again = await main.get('Broken');
    expect(again.json.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect(calls.broken).toBe(broken + 2);

    await main.get('Destinations', { first: 2 }); // a GET entry exists for this operation
    const destinations = calls.destinations;
    const post = await fetch(main.running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(operations.Destinations) } },
        variables: { first: 2 },
      }),
    });
    expect(post.headers.get('x-cache')).toBeNull();
    expect(post.headers.get('cache-control')).toBe('no-store');
    expect(calls.destinations).toBe(destinations + 1);
  });

  it('never writes the internal decision header to a client', async () => {
    const answer = await main.get('Destinations', { first: 1 });
    expect([...answer.headers.keys()].filter((name) => name.startsWith('x-traveloure'))).toEqual([]);
  });

  it('still applies CSRF prevention to a URL it holds', async () => {
    const url = `${main.running.url}?extensions=${encodeURIComponent(
      JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256(operations.Destinations) } }),
    )}`;
    await main.get('Destinations');
    expect((await main.get('Destinations')).headers.get('x-cache')).toBe('HIT');
    const forged = await fetch(url);
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as any).data).toBeUndefined();
  });
});

describe('gateway response cache under strict settings', () => {
  let strict: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    strict = await startGateway('response_cache_strict', {
      RATE_LIMIT_ANONYMOUS: '5',
      RESPONSE_CACHE_MAX_TTL_SECONDS: '1',
      PERSISTED_QUERIES_MODE: 'safelist',
    });
  });

  it('counts a hit against the rate limit, extra root fields included', async () => {
    // TwoRoots costs 2 points (one per root field), served or not.
    const first = await strict.get('TwoRoots');
    expect(first.headers.get('x-cache')).toBe('MISS');
    const hit = await strict.get('TwoRoots');
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.headers.get('ratelimit-remaining')).toBe('1');
    const refused = await strict.get('TwoRoots');
    expect(refused.status).toBe(429);
    expect(refused.json.errors[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      requestId: expect.any(String),
    });
    expect(refused.headers.get('x-cache')).toBeNull();
  });

  it('lets an entry live no longer than RESPONSE_CACHE_MAX_TTL_SECONDS', async () => {
    const alice = await token('ttl-alice');
    const headers = { authorization: `Bearer ${alice}` };
    await strict.get('Destinations', { first: 3 }, headers);
    expect((await strict.get('Destinations', { first: 3 }, headers)).headers.get('x-cache')).toBe('HIT');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await strict.get('Destinations', { first: 3 }, headers)).headers.get('x-cache')).toBe('MISS');
  });

  it('keeps safelist mode in front of the cache', async () => {
    // Analysts are bound to the manifest: a free-form query is refused every time, never kept.
    const analyst = await mintToken({ role: 'ANALYST', userId: 'cache-analyst', secret: jwtSecret });
    const url = `${strict.running.url}?query=${encodeURIComponent('{ destinations(first: 1) { code } }')}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await fetch(url, {
        headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${analyst}` },
      });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('x-cache')).toBeNull();
      expect(((await answer.json()) as any).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    }
    const manifest = await strict.get('Destinations', { first: 1 }, { authorization: `Bearer ${analyst}` });
    expect(manifest.status).toBe(200);
  });
});

describe('gateway response cache switched off', () => {
  it('answers every request through the pipeline', async () => {
    const off = await startGateway('response_cache_off', { RESPONSE_CACHE_ENABLED: 'false' }, main);
    const before = calls.destinations;
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await off.get('Destinations', { first: 2 });
      expect(answer.headers.get('x-cache')).toBeNull();
      expect(answer.headers.get('cache-control')).toBe('max-age=120, public');
    }
    expect(calls.destinations).toBe(before + 2);
  });
});
