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

const AUDIENCE = 'traveloure-subgraphs';
const ISSUER = 'traveloure-gateway';
const encoder = new TextEncoder();

/**
 * The gateway signs the identity it established into a short-lived HS256 token carried in
 * IDENTITY_HEADER. Subgraphs verify it and refuse anything unsigned, so a caller who reaches a
 * subgraph directly cannot claim to be someone else.
 */
export async function signIdentity(identity: Identity, secret: string, ttlSeconds = 60) {
  return new SignJWT({ identity })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(encoder.encode(secret));
}

export class IdentityVerificationError extends Error {
  override name = 'IdentityVerificationError';
}

export async function verifyIdentity(token: string | undefined, secret: string): Promise<Identity> {
  if (!token) throw new IdentityVerificationError('missing identity signature');
  try {
    const { payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ['HS256'],
      audience: AUDIENCE,
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
