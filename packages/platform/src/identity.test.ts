import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import {
  requireAnalyticsReader,
  signIdentity,
  verifyIdentity,
  IdentityVerificationError,
  type Identity,
} from './identity.ts';

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

describe('requireAnalyticsReader', () => {
  const reader = (identity: Partial<Identity>) => () =>
    requireAnalyticsReader({ requestId: 'req-analytics-1', ...identity }, 'Figures');
  const codeOf = (fn: () => void) => {
    try {
      fn();
      return 'ALLOWED';
    } catch (error) {
      return (error as { extensions: { code: string } }).extensions.code;
    }
  };

  it('lets analysts, admins and analytics keys read, and no one else', () => {
    expect(codeOf(reader({ user: { id: 'a', roles: ['ANALYST'] } }))).toBe('ALLOWED');
    expect(codeOf(reader({ user: { id: 'b', roles: ['ADMIN'] } }))).toBe('ALLOWED');
    expect(codeOf(reader({ apiKey: { id: 'k1', owner: 'Acme', scopes: ['analytics'] } }))).toBe('ALLOWED');
    expect(codeOf(reader({ user: { id: 'c', roles: ['TRAVELER'] } }))).toBe('FORBIDDEN');
    expect(codeOf(reader({ apiKey: { id: 'k2', owner: 'Acme', scopes: ['search', 'catalog'] } }))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(reader({}))).toBe('UNAUTHENTICATED');
  });
});
