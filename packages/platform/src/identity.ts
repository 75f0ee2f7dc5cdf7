import { webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { forbidden, unauthenticated } from './errors.ts';

export const IDENTITY_HEADER = 'x-traveloure-identity';
export const REQUEST_ID_HEADER = 'x-request-id';

export const roles = ['TRAVELER', 'EXPERT', 'ANALYST', 'ADMIN'] as const;
export type Role = (typeof roles)[number];
export const regions = ['US_EAST', 'EU_WEST', 'AP_SOUTH'] as const;
export type Region = (typeof regions)[number];

/** Who is calling, as the gateway established it. Subgraphs trust only this. */
export interface Identity {
  requestId: string;
  /** A signed-in person (JWT). */
  user?: {
    id: string;
    roles: Role[];
    email?: string;
    name?: string;
    region?: Region;
  };
  /** A partner calling with an API key. */
  apiKey?: { id: string; owner: string; scopes: string[] };
  /** Client address, for anonymous rate limiting and audit. */
  ip?: string;
}

export function hasRole(identity: Identity | undefined, role: Role): boolean {
  return identity?.user?.roles.includes(role) ?? false;
}

/** The signed-in person a subgraph serves, with the role checks resolvers make. */
export interface Viewer {
  id: string;
  admin: boolean;
  analyst: boolean;
}

export function viewerOf(identity: Identity | undefined): Viewer | undefined {
  const user = identity?.user;
  if (!user) return undefined;
  return { id: user.id, admin: hasRole(identity, 'ADMIN'), analyst: hasRole(identity, 'ANALYST') };
}

/**
 * Who may read analytics (popularity, demand, delivery statistics): analysts and admins, and
 * partner keys granted the `analytics` scope. Throws UNAUTHENTICATED or FORBIDDEN otherwise.
 */
export function requireAnalyticsReader(identity: Identity, what: string): void {
  if (hasRole(identity, 'ANALYST') || hasRole(identity, 'ADMIN')) return;
  if (identity.apiKey?.scopes.includes('analytics')) return;
  if (!identity.user && !identity.apiKey) throw unauthenticated();
  throw forbidden(`${what} are for analysts, admins and partner keys with the analytics scope.`);
}

const ISSUER = 'traveloure-gateway';
const encoder = new TextEncoder();

/**
 * The audience of a header meant for one subgraph. Each subgraph accepts only its own, so a
 * header one subgraph has seen (in its logs, or by a compromised process) cannot be replayed
 * to another within its lifetime.
 */
export const identityAudience = (service: string) => `traveloure-subgraph:${service}`;

/**
 * HS256 keys imported once per secret and use: jose would otherwise import the raw secret into
 * WebCrypto on every sign and verify, and both run on every request.
 */
const hmacKeys = new Map<string, Promise<webcrypto.CryptoKey>>();
function hmacKey(secret: string, usage: 'sign' | 'verify'): Promise<webcrypto.CryptoKey> {
  const cacheKey = `${usage}:${secret}`;
  let key = hmacKeys.get(cacheKey);
  if (!key) {
    key = webcrypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      [usage],
    );
    hmacKeys.set(cacheKey, key);
  }
  return key;
}

/**
 * The gateway signs the identity it established into a short-lived HS256 token carried in
 * IDENTITY_HEADER, for one subgraph (`service`). Subgraphs verify it and refuse anything
 * unsigned or meant for another, so a caller who reaches a subgraph directly cannot claim to be
 * someone else.
 */
export async function signIdentity(identity: Identity, secret: string, service: string, ttlSeconds = 60) {
  return new SignJWT({ identity })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(identityAudience(service))
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(await hmacKey(secret, 'sign'));
}

export class IdentityVerificationError extends Error {
  override name = 'IdentityVerificationError';
}

/** The identity in `token` if the gateway signed it for `service` and it has not expired. */
export async function verifyIdentity(
  token: string | undefined,
  secret: string,
  service: string,
): Promise<Identity> {
  if (!token) throw new IdentityVerificationError('missing identity signature');
  try {
    const { payload } = await jwtVerify(token, await hmacKey(secret, 'verify'), {
      algorithms: ['HS256'],
      audience: identityAudience(service),
      issuer: ISSUER,
    });
    const identity = payload.identity as Identity | undefined;
    if (!identity || typeof identity.requestId !== 'string') {
      throw new IdentityVerificationError('identity payload malformed');
    }
    return identity;
  } catch (error) {
    if (error instanceof IdentityVerificationError) throw error;
    if (error instanceof joseErrors.JOSEError) {
      throw new IdentityVerificationError(`identity signature rejected: ${error.code}`);
    }
    throw error;
  }
}
