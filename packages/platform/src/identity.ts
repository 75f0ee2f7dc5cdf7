import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

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

/** The caller's part of every subgraph's context: the verified identity, its viewer, the request id. */
export function callerContextOf(identity: Identity): {
  identity: Identity;
  viewer: Viewer | undefined;
  requestId: string;
} {
  return { identity, viewer: viewerOf(identity), requestId: identity.requestId };
}

const ISSUER = 'traveloure-gateway';

/**
 * The audience of a header meant for one subgraph. Each subgraph accepts only its own, so a
 * header one subgraph has seen (in its logs, or by a compromised process) cannot be replayed
 * to another within its lifetime.
 */
export const identityAudience = (service: string) => `traveloure-subgraph:${service}`;

/*
 * The header is an HS256 JWS in compact form (RFC 7515/7519), made and checked here with one
 * synchronous node:crypto HMAC instead of a JOSE library: the gateway signs on every request for
 * every subgraph it calls and each subgraph verifies, so the async WebCrypto round trip (a thread
 * pool job and several promises per token) showed in every profile. The format stays standard,
 * so any JWT tool decodes it and tokens made by a JOSE library verify here (and the reverse).
 */
const JWS_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
const SIGNATURE_BYTES = 32;
/** Far above any identity the gateway makes; refuses absurd input before any work. */
const MAX_TOKEN_LENGTH = 16_384;

/** Secrets as KeyObjects, made once per secret: no re-encoding of the key on each HMAC. */
const hmacKeys = new Map<string, KeyObject>();
function hmacKey(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    hmacKeys.set(secret, key);
  }
  return key;
}

const mac = (signingInput: string, secret: string) =>
  createHmac('sha256', hmacKey(secret)).update(signingInput).digest();

/**
 * The gateway signs the identity it established into a short-lived HS256 token carried in
 * IDENTITY_HEADER, for one subgraph (`service`). Subgraphs verify it and refuse anything
 * unsigned or meant for another, so a caller who reaches a subgraph directly cannot claim to be
 * someone else. Synchronous: one HMAC-SHA256.
 */
export function signIdentity(identity: Identity, secret: string, service: string, ttlSeconds = 60): string {
  const issuedAt = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(
    JSON.stringify({
      identity,
      iss: ISSUER,
      aud: identityAudience(service),
      iat: issuedAt,
      exp: issuedAt + ttlSeconds,
    }),
  ).toString('base64url');
  const signingInput = `${JWS_HEADER}.${payload}`;
  return `${signingInput}.${mac(signingInput, secret).toString('base64url')}`;
}

export class IdentityVerificationError extends Error {
  override name = 'IdentityVerificationError';
}

/** The reasons carry the usual JWT error codes, so logs read the same as before. */
const rejected = (code: string) => new IdentityVerificationError(`identity signature rejected: ${code}`);

function acceptableHeader(segment: string): boolean {
  if (segment === JWS_HEADER) return true;
  // Another encoder may order or add members (`typ`); only the algorithm matters, and `crit`
  // names extensions this verifier does not implement, so it is refused.
  try {
    const header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
    return header.alg === 'HS256' && header.crit === undefined;
  } catch {
    return false;
  }
}

/**
 * The identity in `token` if the gateway signed it for `service` and it has not expired.
 * Synchronous work (one HMAC); async only to keep the callers' contract.
 */
export async function verifyIdentity(
  token: string | undefined,
  secret: string,
  service: string,
): Promise<Identity> {
  if (!token) throw new IdentityVerificationError('missing identity signature');
  if (token.length > MAX_TOKEN_LENGTH) throw rejected('ERR_JWS_INVALID');
  const firstDot = token.indexOf('.');
  const secondDot = token.indexOf('.', firstDot + 1);
  if (firstDot < 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
    throw rejected('ERR_JWS_INVALID');
  }
  if (!acceptableHeader(token.slice(0, firstDot))) throw rejected('ERR_JOSE_ALG_NOT_ALLOWED');
  const signature = Buffer.from(token.slice(secondDot + 1), 'base64url');
  const expected = mac(token.slice(0, secondDot), secret);
  if (signature.length !== SIGNATURE_BYTES || !timingSafeEqual(signature, expected)) {
    throw rejected('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  }
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(token.slice(firstDot + 1, secondDot), 'base64url').toString('utf8'));
  } catch {
    throw rejected('ERR_JWT_INVALID');
  }
  if (typeof payload !== 'object' || payload === null) throw rejected('ERR_JWT_INVALID');
  const now = Math.floor(Date.now() / 1000);
  if (payload.iss !== ISSUER) throw rejected('ERR_JWT_CLAIM_VALIDATION_FAILED (iss)');
  const audience = identityAudience(service);
  const aud = payload.aud;
  if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience)))) {
    throw rejected('ERR_JWT_CLAIM_VALIDATION_FAILED (aud)');
  }
  // An identity without an expiry would be valid forever: `exp` is required.
  if (typeof payload.exp !== 'number') throw rejected('ERR_JWT_CLAIM_VALIDATION_FAILED (exp)');
  if (payload.exp <= now) throw rejected('ERR_JWT_EXPIRED');
  if (payload.nbf !== undefined && !(typeof payload.nbf === 'number' && payload.nbf <= now)) {
    throw rejected('ERR_JWT_CLAIM_VALIDATION_FAILED (nbf)');
  }
  const identity = payload.identity as Identity | undefined;
  if (!identity || typeof identity !== 'object' || typeof identity.requestId !== 'string') {
    throw new IdentityVerificationError('identity payload malformed');
  }
  return identity;
}
