import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { createApiKey, sha256 } from '@traveloure/gateway/edge/index';
import { gatewayDb, startEdge, trustedOperations, type EdgeHarness } from './edge-fixture.ts';

let edge: EdgeHarness;

beforeAll(async () => {
  edge = await startEdge('edge_persisted');
});
afterAll(async () => {
  await edge?.close();
});

const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

describe('automatic persisted queries', () => {
  it('registers a query in Redis and then runs it by hash alone', async () => {
    const query = '{ destinations(first: 1) { code } }';
    const hash = createHash('sha256').update(query).digest('hex');
    const unknown = await edge.post({ extensions: persisted(hash) });
    expect(unknown.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const registered = await edge.post({ query, extensions: persisted(hash) });
    expect(registered.json.data.destinations).toEqual([{ code: 'PAR' }]);
    const redis = new Redis(edge.redis.url);
    try {
      // Registration is written after the answer; wait for it to land.
      await vi.waitFor(async () => expect(await redis.get(`edge:apq:${hash}`)).toBe(query));
    } finally {
      redis.disconnect();
    }
    const byHash = await edge.post({ extensions: persisted(hash) });
    expect(byHash.json.data.destinations).toEqual([{ code: 'PAR' }]);
  });

  it('runs a manifest operation by id without registering it first (or after)', async () => {
    const id = sha256(trustedOperations.Destinations);
    const result = await edge.post({ extensions: persisted(id), variables: { first: 2 } });
    expect(result.status).toBe(200);
    expect(result.json.data.destinations.map((d: { code: string }) => d.code)).toEqual(['PAR', 'LON']);
    const redis = new Redis(edge.redis.url);
    try {
      expect(await redis.exists(`edge:apq:${id}`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});

describe('persisted queries over GET', () => {
  const getUrl = (variables: object) =>
    `${edge.url}?extensions=${encodeURIComponent(JSON.stringify(persisted(sha256(trustedOperations.Destinations))))}&variables=${encodeURIComponent(JSON.stringify(variables))}`;

  it('carries Cache-Control from the cache hints, so a CDN can hold them', async () => {
    const response = await fetch(getUrl({ first: 2 }), { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('max-age=120, public');
    expect(response.headers.get('vary')).toMatch(/authorization/);
    expect(((await response.json()) as any).data.destinations).toHaveLength(2);
  });

  it('marks a signed-in answer private', async () => {
    const response = await fetch(getUrl({ first: 1 }), {
      headers: {
        'apollo-require-preflight': 'true',
        authorization: `Bearer ${await edge.token('TRAVELER')}`,
      },
    });
    expect(response.headers.get('cache-control')).toBe('max-age=120, private');
  });

  it('never lets a POST be cached', async () => {
    const result = await edge.post({ extensions: persisted(sha256(trustedOperations.Destinations)) });
    expect(result.headers.get('cache-control')).toBe('no-store');
  });
});

describe('analytics endpoint', () => {
  it('needs an analyst', async () => {
    const anonymous = await fetch(`${edge.origin}/analytics/DestinationPopularity`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const traveler = await fetch(`${edge.origin}/analytics/DestinationPopularity`, {
      headers: { authorization: `Bearer ${await edge.token('TRAVELER')}` },
    });
    expect(traveler.status).toBe(403);
    expect(((await traveler.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('lists the operations and answers JSON with typed parameters', async () => {
    const headers = { authorization: `Bearer ${await edge.token('ANALYST')}` };
    const list = (await (await fetch(`${edge.origin}/analytics`, { headers })).json()) as any;
    expect(list.operations.map((operation: { name: string }) => operation.name)).toContain(
      'DestinationPopularity',
    );
    const response = await fetch(`${edge.origin}/analytics/DestinationPopularity?days=7&first=2`, {
      headers,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-limit')).not.toBeNull();
    const body = (await response.json()) as any;
    expect(body.data.destinationPopularity).toHaveLength(2);
    expect(body.data.destinationPopularity[0]).toMatchObject({ destination: { code: 'PAR' }, tripCount: 10 });
  });

  it('streams CSV with correct quoting', async () => {
    const response = await fetch(`${edge.origin}/analytics/DestinationPopularity?first=3&format=csv`, {
      headers: { authorization: `Bearer ${await edge.token('ANALYST')}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await response.text();
    expect(text.split('\n')[0]).toBe('destination.code,destination.name,tripCount,note');
    const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({
      'destination.code': 'PAR',
      'destination.name': 'City PAR',
      tripCount: '10',
      note: 'busy, "very" busy\nall year',
    });
    expect(rows[1]!.note).toBe('');
    expect(text).toContain('"busy, ""very"" busy\nall year"');
  });

  it('refuses bad parameters, unknown operations and oversize lists with clear errors', async () => {
    const headers = { authorization: `Bearer ${await edge.token('ANALYST')}` };
    const notInt = await fetch(`${edge.origin}/analytics/DestinationPopularity?days=seven`, { headers });
    expect(notInt.status).toBe(400);
    expect(((await notInt.json()) as any).errors[0]).toMatchObject({
      message: 'days must be an integer',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const unknownParameter = await fetch(`${edge.origin}/analytics/DestinationPopularity?region=EU`, {
      headers,
    });
    expect(unknownParameter.status).toBe(400);
    const unknownOperation = await fetch(`${edge.origin}/analytics/DropTables`, { headers });
    expect(unknownOperation.status).toBe(404);
    const tooMany = await fetch(`${edge.origin}/analytics/DestinationPopularity?first=1000&format=csv`, {
      headers,
    });
    expect(tooMany.status).toBe(400);
    const body = (await tooMany.json()) as any;
    expect(body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'listSize' });
    expect(body.errors[0].extensions.requestId).toEqual(expect.any(String));
  });
});

describe('public schema', () => {
  it('serves the API schema without federation internals', async () => {
    const response = await fetch(`${edge.origin}/schema.graphql`);
    expect(response.status).toBe(200);
    const sdl = await response.text();
    expect(sdl).toContain('type Destination');
    expect(sdl).toContain('destinationPopularity(');
    expect(sdl).not.toMatch(/join__|link__|@link|@key|_Service|_entities|federation__/);
  });
});

describe('safelist mode', () => {
  let safe: EdgeHarness;
  let partnerKey: string;
  beforeAll(async () => {
    safe = await startEdge('edge_persisted_safelist', { PERSISTED_QUERIES_MODE: 'safelist' });
    const db = gatewayDb(safe.database.url);
    partnerKey = (
      await createApiKey(db, { owner: 'Safelisted Partner', scopes: ['catalog'], rateLimit: 1000 })
    ).key;
    await db.destroy();
  });
  afterAll(async () => {
    await safe?.close();
  });

  const freeForm = { query: '{ destinations(first: 1) { code } }' };

  it('refuses free-form operations from anonymous callers, partners and analysts', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { 'x-api-key': partnerKey },
      { authorization: `Bearer ${await safe.token('ANALYST')}` },
    ]) {
      const result = await safe.post(freeForm, headers);
      expect(result.status).toBe(400);
      expect(result.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
      expect(result.json.errors[0].extensions.requestId).toEqual(expect.any(String));
    }
  });

  it('refuses a hash that is not in the manifest, even to register it', async () => {
    const hash = sha256(freeForm.query);
    const byHash = await safe.post({ extensions: persisted(hash) });
    expect(byHash.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const register = await safe.post({ ...freeForm, extensions: persisted(hash) });
    expect(register.json.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  });

  it('runs manifest operations by id or by their exact text', async () => {
    const byId = await safe.post(
      { extensions: persisted(sha256(trustedOperations.Destinations)) },
      { 'x-api-key': partnerKey },
    );
    expect(byId.status).toBe(200);
    expect(byId.json.data.destinations).toHaveLength(3);
    const byText = await safe.post({ query: trustedOperations.Destinations });
    expect(byText.status).toBe(200);
  });

  it('lets ADMIN send free-form operations', async () => {
    const result = await safe.post(freeForm, { authorization: `Bearer ${await safe.token('ADMIN')}` });
    expect(result.status).toBe(200);
    expect(result.json.data.destinations).toEqual([{ code: 'PAR' }]);
  });
});
