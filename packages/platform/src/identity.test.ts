import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { signIdentity, verifyIdentity, IdentityVerificationError, type Identity } from './identity.ts';

const secret = 'a-test-secret-that-is-long-enough-0123456789';
const identity: Identity = {
  requestId: 'req-12345678',
  user: { id: 'u1', roles: ['TRAVELER'], email: 'u1@example.com', region: 'EU_WEST' },
};

describe('identity header', () => {
  it('round-trips a signed identity', async () => {
    const token = await signIdentity(identity, secret, 'trip');
    await expect(verifyIdentity(token, secret, 'trip')).resolves.toEqual(identity);
  });

  it('binds the signature to the subgraph it was made for', async () => {
    const forTrip = await signIdentity(identity, secret, 'trip');
    await expect(verifyIdentity(forTrip, secret, 'ai')).rejects.toThrow(/ERR_JWT_CLAIM_VALIDATION_FAILED/);
    await expect(verifyIdentity(forTrip, secret, 'trip')).resolves.toEqual(identity);
    const payload = JSON.parse(Buffer.from(forTrip.split('.')[1]!, 'base64url').toString());
    expect(payload.aud).toBe('traveloure-subgraph:trip');
  });

  it('refuses a missing, tampered, foreign or expired signature', async () => {
    const token = await signIdentity(identity, secret, 'trip');
    await expect(verifyIdentity(undefined, secret, 'trip')).rejects.toBeInstanceOf(IdentityVerificationError);
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload!, 'base64url').toString()),
        identity: { ...identity, user: { id: 'admin', roles: ['ADMIN'] } },
      }),
    ).toString('base64url');
    await expect(verifyIdentity(`${header}.${forged}.${signature}`, secret, 'trip')).rejects.toBeInstanceOf(
      IdentityVerificationError,
    );
    await expect(verifyIdentity(token, secret.replace('a', 'b'), 'trip')).rejects.toBeInstanceOf(
      IdentityVerificationError,
    );
    const expired = await new SignJWT({ identity })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('traveloure-gateway')
      .setAudience('traveloure-subgraph:trip')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(secret));
    await expect(verifyIdentity(expired, secret, 'trip')).rejects.toThrow(/ERR_JWT_EXPIRED/);
  });

  it('refuses alg none', async () => {
    const unsigned =
      Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url') +
      '.' +
      Buffer.from(
        JSON.stringify({ identity, aud: 'traveloure-subgraph:trip', iss: 'traveloure-gateway' }),
      ).toString('base64url') +
      '.';
    await expect(verifyIdentity(unsigned, secret, 'trip')).rejects.toBeInstanceOf(IdentityVerificationError);
  });
});

describe('identity header format', () => {
  const key = new TextEncoder().encode(secret);
  const now = () => Math.floor(Date.now() / 1000);
  /** A token with any header and payload, MACed with `secret` as the gateway would. */
  const handMade = (header: object | string, payload: object | string) => {
    const encode = (part: object | string) =>
      Buffer.from(typeof part === 'string' ? part : JSON.stringify(part)).toString('base64url');
    const input = `${encode(header)}.${encode(payload)}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  const claims = () => ({
    identity,
    iss: 'traveloure-gateway',
    aud: 'traveloure-subgraph:trip',
    exp: now() + 60,
  });

  it('signs synchronously, and is a standard HS256 JWT both ways', async () => {
    const token = signIdentity(identity, secret, 'trip');
    expect(typeof token).toBe('string');
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: 'traveloure-gateway',
      audience: 'traveloure-subgraph:trip',
    });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.identity).toEqual(identity);
    expect(payload.exp! - payload.iat!).toBe(60);
    const fromJose = await new SignJWT({ identity })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer('traveloure-gateway')
      .setAudience(['traveloure-subgraph:trip', 'another'])
      .setExpirationTime('1m')
      .sign(key);
    await expect(verifyIdentity(fromJose, secret, 'trip')).resolves.toEqual(identity);
  });

  it('accepts a hand-made token with every claim right (the fixture itself is sound)', async () => {
    await expect(verifyIdentity(handMade({ alg: 'HS256' }, claims()), secret, 'trip')).resolves.toEqual(
      identity,
    );
  });

  it.each([
    ['another algorithm', { alg: 'HS512' }, claims(), /ERR_JOSE_ALG_NOT_ALLOWED/],
    ['a critical extension', { alg: 'HS256', crit: ['b64'], b64: false }, claims(), /ALG_NOT_ALLOWED/],
    ['no expiry', { alg: 'HS256' }, { ...claims(), exp: undefined }, /\(exp\)/],
    ['a text expiry', { alg: 'HS256' }, { ...claims(), exp: String(now() + 60) }, /\(exp\)/],
    ['a future not-before', { alg: 'HS256' }, { ...claims(), nbf: now() + 60 }, /\(nbf\)/],
    ['another issuer', { alg: 'HS256' }, { ...claims(), iss: 'someone-else' }, /\(iss\)/],
    ['no identity', { alg: 'HS256' }, { ...claims(), identity: undefined }, /malformed/],
    ['a payload that is not JSON', { alg: 'HS256' }, 'not json', /ERR_JWT_INVALID/],
    ['a payload that is not an object', { alg: 'HS256' }, '42', /ERR_JWT_INVALID/],
  ])('refuses %s', async (_case, header, payload, reason) => {
    const error = await verifyIdentity(handMade(header, payload), secret, 'trip').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityVerificationError);
    expect((error as Error).message).toMatch(reason);
  });

  it('refuses malformed, truncated and oversized tokens', async () => {
    const token = signIdentity(identity, secret, 'trip');
    for (const bad of [
      'abc',
      'a.b',
      `${token}.extra`,
      token.slice(0, -4),
      `${token.slice(0, token.lastIndexOf('.'))}.`,
      handMade({ alg: 'HS256' }, { ...claims(), padding: 'x'.repeat(20_000) }),
    ]) {
      await expect(verifyIdentity(bad, secret, 'trip')).rejects.toBeInstanceOf(IdentityVerificationError);
    }
  });
});
