import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import { createApiKey, revokeApiKey, type GatewayDatabase } from '@traveloure/gateway/edge/index';
import { gatewayDb, jwtSecret, startEdge, type EdgeHarness } from './edge-fixture.ts';

let edge: EdgeHarness;
let db: Kysely<GatewayDatabase>;

beforeAll(async () => {
  edge = await startEdge('edge_identity');
  db = gatewayDb(edge.database.url);
});
afterAll(async () => {
  await db?.destroy();
  await edge?.close();
});

const whoami = { query: '{ whoami }' };
const secret = new TextEncoder().encode(jwtSecret);

function token(
  claims: Record<string, unknown> = {},
  options: {
    alg?: string;
    key?: Uint8Array;
    exp?: string | number | null;
    nbf?: number;
    iss?: string;
    aud?: string;
  } = {},
) {
  const jwt = new SignJWT({ roles: ['TRAVELER'], ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject('user-identity-test')
    .setIssuer(options.iss ?? 'traveloure')
    .setAudience(options.aud ?? 'traveloure-api')
    .setIssuedAt();
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? '1h');
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(options.key ?? secret);
}

async function expectUnauthenticated(headers: Record<string, string>, message: RegExp) {
  const result = await edge.post(whoami, headers);
  expect(result.status).toBe(401);
  expect(result.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  expect(result.json.errors[0].extensions.requestId).toEqual(expect.any(String));
  expect(result.json.errors[0].message).toMatch(message);
  expect(result.json.data).toBeUndefined();
}

describe('user tokens', () => {
  it('passes a verified user and roles to the subgraphs', async () => {
    const result = await edge.post(whoami, {
      authorization: `Bearer ${await edge.token('ANALYST', 'user-42')}`,
    });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.json.data.whoami)).toEqual({
      user: 'user-42',
      roles: ['ANALYST'],
      apiKey: null,
    });
  });

  it('refuses an expired token', async () => {
    const expired = await token({}, { exp: Math.floor(Date.now() / 1000) - 3600 });
    await expectUnauthenticated({ authorization: `Bearer ${expired}` }, /expired/);
  });

  it('refuses a token that is not valid yet (nbf)', async () => {
    const early = await token({}, { nbf: Math.floor(Date.now() / 1000) + 3600, exp: '2h' });
    await expectUnauthenticated({ authorization: `Bearer ${early}` }, /not valid yet/);
  });

  it('refuses a badly signed token', async () => {
    const forged = await token(
      { roles: ['ADMIN'] },
      { key: new TextEncoder().encode('another-secret-another-secret-another-secret') },
    );
    await expectUnauthenticated({ authorization: `Bearer ${forged}` }, /not valid/);
  });

  it('refuses alg none', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'attacker', roles: ['ADMIN'], iss: 'traveloure', aud: 'traveloure-api', exp: now + 3600 })}.`;
    await expectUnauthenticated({ authorization: `Bearer ${unsigned}` }, /not (valid|accepted)/);
  });

  it('refuses a wrong algorithm even with the right secret', async () => {
    const hs512 = await token({}, { alg: 'HS512' });
    await expectUnauthenticated({ authorization: `Bearer ${hs512}` }, /algorithm/);
  });

  it('refuses a wrong issuer or audience', async () => {
    await expectUnauthenticated(
      { authorization: `Bearer ${await token({}, { iss: 'someone-else' })}` },
      /"iss"/,
    );
    await expectUnauthenticated(
      { authorization: `Bearer ${await token({}, { aud: 'another-api' })}` },
      /"aud"/,
    );
  });

  it('refuses a token without exp', async () => {
    const forever = await token({}, { exp: null });
    await expectUnauthenticated({ authorization: `Bearer ${forever}` }, /"exp"/);
  });

  it('refuses a malformed Authorization header', async () => {
    await expectUnauthenticated({ authorization: 'Basic dXNlcjpwYXNz' }, /Bearer/);
  });
});

describe('partner API keys', () => {
  it('accepts a key within its scopes and records its use', async () => {
    const { key, record } = await createApiKey(db, {
      owner: 'Acme Travel',
      scopes: ['search', 'catalog'],
      rateLimit: 1000,
    });
    const search = await edge.post(
      { query: '{ searchFlights(input: { origin: "PAR" }) }' },
      { 'x-api-key': key },
    );
    expect(search.status).toBe(200);
    expect(search.json.data.searchFlights).toEqual(['offer from PAR']);
    await vi.waitFor(async () => {
      const row = await db
        .selectFrom('gateway.api_keys')
        .select('last_used_at')
        .where('id', '=', record.id)
        .executeTakeFirstOrThrow();
      expect(row.last_used_at).toBeInstanceOf(Date);
    });
    // Only the hash is stored.
    const stored = await db
      .selectFrom('gateway.api_keys')
      .selectAll()
      .where('id', '=', record.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(key);
  });

  it('refuses a root field outside the key scopes', async () => {
    const { key } = await createApiKey(db, { owner: 'Search Only Ltd', scopes: ['search'], rateLimit: 1000 });
    const trips = await edge.post({ query: '{ trips }' }, { 'x-api-key': key });
    expect(trips.status).toBe(403);
    expect(trips.json.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(trips.json.errors[0].message).toMatch(/trips/);
    // One forbidden field refuses the whole operation: nothing is half-answered.
    const mixed = await edge.post(
      { query: '{ searchFlights(input: { origin: "PAR" }) trips }' },
      { 'x-api-key': key },
    );
    expect(mixed.status).toBe(403);
    expect(mixed.json.data).toBeUndefined();
    // A root field in no scope is refused to every key.
    const unmapped = await edge.post(whoami, { 'x-api-key': key });
    expect(unmapped.status).toBe(403);
  });

  it('lets a partner key introspect', async () => {
    const { key } = await createApiKey(db, { owner: 'Explorer Inc', scopes: ['catalog'], rateLimit: 1000 });
    const result = await edge.post({ query: '{ __schema { queryType { name } } }' }, { 'x-api-key': key });
    expect(result.status).toBe(200);
    expect(result.json.data.__schema.queryType.name).toBe('Query');
  });

  it('refuses a revoked key and an unknown key', async () => {
    const { key, record } = await createApiKey(db, {
      owner: 'Gone Away',
      scopes: ['search'],
      rateLimit: 1000,
    });
    expect(
      (await edge.post({ query: '{ searchFlights(input: { origin: "PAR" }) }' }, { 'x-api-key': key }))
        .status,
    ).toBe(200);
    await revokeApiKey(db, record.prefix);
    await expectUnauthenticated({ 'x-api-key': key }, /revoked/);
    await expectUnauthenticated({ 'x-api-key': 'tvl_not-a-real-key' }, /not valid/);
  });

  it('refuses a token and a key together', async () => {
    const { key } = await createApiKey(db, { owner: 'Both Ways', scopes: ['search'], rateLimit: 1000 });
    await expectUnauthenticated(
      { 'x-api-key': key, authorization: `Bearer ${await edge.token('TRAVELER')}` },
      /not both/,
    );
  });
});

describe('rate limits', () => {
  const search = (alias: string) => `${alias}: searchFlights(input: { origin: "PAR" })`;

  it('counts aliased root fields: one request can exhaust a key', async () => {
    const { key } = await createApiKey(db, { owner: 'Burst Co', scopes: ['search'], rateLimit: 10 });
    const first = await edge.post({ query: `{ ${search('a')} }` }, { 'x-api-key': key });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('10');
    expect(first.headers.get('ratelimit-remaining')).toBe('9');
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);

    const aliases = Array.from({ length: 12 }, (_, index) => search(`s${index}`)).join(' ');
    const burst = await edge.post({ query: `{ ${aliases} }` }, { 'x-api-key': key });
    expect(burst.status).toBe(429);
    expect(burst.json.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(burst.json.errors[0].extensions.requestId).toEqual(expect.any(String));
    expect(burst.json.data).toBeUndefined();
    expect(Number(burst.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(burst.headers.get('ratelimit-remaining')).toBe('0');

    const after = await edge.post({ query: `{ ${search('a')} }` }, { 'x-api-key': key });
    expect(after.status).toBe(429);
    expect(after.headers.get('retry-after')).not.toBeNull();
  });

  it('keeps limiting in process while Redis is down', async () => {
    const { key } = await createApiKey(db, { owner: 'Outage Co', scopes: ['search'], rateLimit: 3 });
    await edge.redis.stop();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await edge.post({ query: `{ ${search('a')} }` }, { 'x-api-key': key })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await edge.redis.start();
    }
  });
});

describe('rate limits per user and per address', () => {
  let small: EdgeHarness;
  beforeAll(async () => {
    small = await startEdge('edge_identity_small', { RATE_LIMIT_ANONYMOUS: '3', RATE_LIMIT_USER: '4' });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('gives anonymous callers (by address) and each user their own budget', async () => {
    const anonymous: number[] = [];
    for (let i = 0; i < 4; i++) anonymous.push((await small.post({ query: '{ trips }' })).status);
    expect(anonymous).toEqual([200, 200, 200, 429]);

    const alice = await small.token('TRAVELER', 'alice');
    const bob = await small.token('TRAVELER', 'bob');
    const aliceStatuses: number[] = [];
    for (let i = 0; i < 5; i++)
      aliceStatuses.push(
        (await small.post({ query: '{ trips }' }, { authorization: `Bearer ${alice}` })).status,
      );
    expect(aliceStatuses).toEqual([200, 200, 200, 200, 429]);
    const bobResult = await small.post({ query: '{ trips }' }, { authorization: `Bearer ${bob}` });
    expect(bobResult.status).toBe(200);
    expect(bobResult.headers.get('ratelimit-limit')).toBe('4');
  });
});

describe('guessing credentials', () => {
  let small: EdgeHarness;
  beforeAll(async () => {
    small = await startEdge('edge_identity_guess', { RATE_LIMIT_ANONYMOUS: '3' });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('spends the address budget: refused keys and tokens end in 429, other addresses are unaffected', async () => {
    // The gateway trusts loopback proxies (TRUST_PROXY), so x-forwarded-for sets the client address.
    const from = (address: string, headers: Record<string, string> = {}) => ({
      'x-forwarded-for': address,
      ...headers,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await small.post(whoami, from('203.0.113.7', { 'x-api-key': `tvl_guess${i}` }))).status);
    const forged = await token(
      {},
      { key: new TextEncoder().encode('another-secret-another-secret-another-secret') },
    );
    const spent = await small.post(whoami, from('203.0.113.7', { authorization: `Bearer ${forged}` }));
    expect(statuses).toEqual([401, 401, 401]);
    expect(spent.status).toBe(429);
    expect(spent.json.errors[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      requestId: expect.any(String),
    });
    expect(Number(spent.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await small.post({ query: '{ trips }' }, from('203.0.113.8'))).status).toBe(200);
  });
});

describe('when the key store is unreachable', () => {
  let broken: EdgeHarness;
  beforeAll(async () => {
    broken = await startEdge('edge_identity_broken');
  });
  afterAll(async () => {
    await broken?.close();
  });

  it('answers a key check that cannot run as an internal error: JSON, request id, no detail', async () => {
    const db = gatewayDb(broken.database.url);
    const { key } = await createApiKey(db, { owner: 'Unlucky', scopes: ['search'], rateLimit: 100 });
    await db.destroy();
    await broken.database.drop(); // the gateway's database goes away under it
    const response = await fetch(broken.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': key,
        'x-request-id': 'edge-test-store-down-1',
      },
      body: JSON.stringify({ query: '{ searchFlights(input: { origin: "PAR" }) }' }),
    });
    expect(response.status).toBe(500);
    const body = (await response.json()) as any;
    expect(body.errors[0].extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      requestId: 'edge-test-store-down-1',
    });
    expect(JSON.stringify(body)).not.toMatch(/database|postgres|at \//i);
    // Anonymous and token callers do not need the key store and are still served.
    const anonymous = await broken.post({ query: '{ trips }' });
    expect(anonymous.status).toBe(200);
  });
});
