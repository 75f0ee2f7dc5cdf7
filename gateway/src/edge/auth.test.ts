import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { createJwtVerifier } from './auth.ts';

type SigningKey = Parameters<SignJWT['sign']>[0];

/** A JWKS endpoint on loopback, as an identity provider publishes one. */
let server: http.Server;
let jwksUrl: string;
let signingKey: SigningKey;
let publicJwk: JWK;
let fetches = 0;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  server = http.createServer((_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const config = () => ({
  JWT_SECRET: 'unused-secret-unused-secret-unused-secret',
  JWT_ISSUER: 'https://id.traveloure.example',
  JWT_AUDIENCE: 'traveloure-api',
  JWT_JWKS_URL: jwksUrl,
  JWT_ALGORITHMS: undefined,
  JWT_CLOCK_TOLERANCE_SECONDS: 0,
});

const sign = (claims: Record<string, unknown>, key: SigningKey = signingKey, alg = 'RS256', kid = 'key-1') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg, kid })
    .setSubject('user-jwks')
    .setIssuer('https://id.traveloure.example')
    .setAudience('traveloure-api')
    .setExpirationTime('5m')
    .sign(key);

describe('JWKS verification', () => {
  it('accepts a token signed by a published key and maps its roles', async () => {
    const verify = createJwtVerifier(config());
    const user = await verify(
      await sign({ roles: ['analyst', 'NOT_A_ROLE'], region: 'EU_WEST', email: 'a@example.com' }),
    );
    expect(user).toEqual({ id: 'user-jwks', roles: ['ANALYST'], region: 'EU_WEST', email: 'a@example.com' });
    expect(fetches).toBeGreaterThan(0);
  });

  it('refuses HS256 made with the public key (algorithm confusion)', async () => {
    const verify = createJwtVerifier(config());
    const confused = await sign({}, new TextEncoder().encode(JSON.stringify(publicJwk)), 'HS256');
    await expect(verify(confused)).rejects.toThrow(/algorithm is not accepted/);
  });

  it('refuses a token signed by an unknown key', async () => {
    const verify = createJwtVerifier(config());
    const other = await generateKeyPair('RS256');
    await expect(verify(await sign({}, other.privateKey, 'RS256', 'key-2'))).rejects.toThrow(
      /signing key is unknown/,
    );
    await expect(verify(await sign({}, other.privateKey, 'RS256', 'key-1'))).rejects.toThrow(/not valid/);
  });

  it('will not combine a JWKS with HMAC algorithms', () => {
    expect(() => createJwtVerifier({ ...config(), JWT_ALGORITHMS: ['HS256'] })).toThrow(/JWT_ALGORITHMS/);
  });

  it('defaults a token without roles to TRAVELER', async () => {
    const verify = createJwtVerifier(config());
    expect((await verify(await sign({}))).roles).toEqual(['TRAVELER']);
  });

  it('refuses control characters in the subject and drops them from other claims', async () => {
    const verify = createJwtVerifier(config());
    const withSubject = (sub: string) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
        .setSubject(sub)
        .setIssuer('https://id.traveloure.example')
        .setAudience('traveloure-api')
        .setExpirationTime('5m')
        .sign(signingKey);
    await expect(verify(await withSubject('user\u0000evil'))).rejects.toThrow(/subject/);
    await expect(verify(await withSubject('x'.repeat(201)))).rejects.toThrow(/subject/);
    const user = await verify(await sign({ name: 'Ann\u0007', email: 'ann@example.com', region: 'eu_west' }));
    expect(user).toMatchObject({ id: 'user-jwks', email: 'ann@example.com', region: 'EU_WEST' });
    expect(user.name).toBeUndefined();
  });
});

describe('verified tokens', () => {
  const hmacConfig = {
    JWT_SECRET: 'cache-test-secret-cache-test-secret-0123',
    JWT_ISSUER: 'traveloure',
    JWT_AUDIENCE: 'traveloure-api',
    JWT_JWKS_URL: undefined,
    JWT_ALGORITHMS: undefined,
    JWT_CLOCK_TOLERANCE_SECONDS: 0,
  };
  const hmacToken = (expiresAt: number | string, sub = 'user-cached') =>
    new SignJWT({ roles: ['TRAVELER'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer('traveloure')
      .setAudience('traveloure-api')
      .setExpirationTime(expiresAt)
      .sign(new TextEncoder().encode(hmacConfig.JWT_SECRET));
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('verifies a token once and answers from memory after, frozen', async () => {
    const verify = createJwtVerifier(hmacConfig);
    const token = await hmacToken('5m');
    const first = await verify(token);
    expect(await verify(token)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
    // Another token of the same user is verified on its own.
    expect(await verify(await hmacToken('6m'))).not.toBe(first);
  });

  it('does not remember a refused token, nor accept a tampered copy of a remembered one', async () => {
    const verify = createJwtVerifier(hmacConfig);
    const token = await hmacToken('5m');
    await verify(token);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'admin' }),
    ).toString('base64url')}.${signature}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(verify(forged)).rejects.toThrow(/not valid/);
    }
  });

  it('stops honouring a remembered token when it expires', async () => {
    const verify = createJwtVerifier(hmacConfig);
    const token = await hmacToken(Math.floor(Date.now() / 1000) + 2);
    await expect(verify(token)).resolves.toMatchObject({ id: 'user-cached' });
    await sleep(2_100);
    await expect(verify(token)).rejects.toThrow(/expired/);
  });

  it('checks a remembered token again after the cache age', async () => {
    const verify = createJwtVerifier(hmacConfig, { verifiedTokenMaxAgeMs: 200 });
    const token = await hmacToken('5m');
    const first = await verify(token);
    expect(await verify(token)).toBe(first);
    await sleep(300);
    const again = await verify(token);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });
});
