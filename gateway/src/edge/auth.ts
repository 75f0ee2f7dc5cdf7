import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import {
  counter,
  ErrorCode,
  regions,
  roles,
  runWithRequestContext,
  sendGraphQLError,
  type Identity,
  type Logger,
  type Region,
  type Role,
} from '@traveloure/platform';
import type { GatewayConfig } from '../config.ts';
import type { ApiKeyStore } from './api-keys.ts';
import { chargeRefusedCredential, type EdgeRateLimiter } from './rate-limit.ts';

const authenticationFailures = counter(
  'gateway_authentication_failures_total',
  'Requests refused for bad credentials',
  ['service', 'credential'] as const,
);

/** A credential that was presented but does not verify: always 401, never anonymous. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

type JwtConfig = Pick<
  GatewayConfig,
  | 'JWT_SECRET'
  | 'JWT_ISSUER'
  | 'JWT_AUDIENCE'
  | 'JWT_JWKS_URL'
  | 'JWT_ALGORITHMS'
  | 'JWT_CLOCK_TOLERANCE_SECONDS'
>;

const asymmetricAlgorithms = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

type VerifiedUser = NonNullable<Identity['user']>;

/**
 * How long a verified token is taken as verified without checking it again: never past its own
 * `exp`, and at most this long, so a key withdrawn from the JWKS stops being honoured soon.
 */
export const VERIFIED_TOKEN_MAX_AGE_MS = 60_000;
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

/**
 * Verifies user tokens: HS256 with JWT_SECRET, or the keys published at JWT_JWKS_URL. Signature,
 * algorithm (an allowlist, so `alg: none` and algorithm confusion are refused), `exp` (required),
 * `nbf`, `iss` and `aud` are all checked.
 *
 * A client sends the same token on every request until it expires, and verifying it (WebCrypto,
 * asynchronous) was a visible part of each request's cost; so a token that verified is
 * remembered, by its exact text, until its expiry (at most VERIFIED_TOKEN_MAX_AGE_MS). Refused
 * tokens are not remembered: each is checked again, and costs its sender rate-limit points.
 */
export function createJwtVerifier(config: JwtConfig, options: { verifiedTokenMaxAgeMs?: number } = {}) {
  const maxAgeMs = options.verifiedTokenMaxAgeMs ?? VERIFIED_TOKEN_MAX_AGE_MS;
  const jwks: JWTVerifyGetKey | undefined = config.JWT_JWKS_URL
    ? createRemoteJWKSet(new URL(config.JWT_JWKS_URL), { timeoutDuration: 3_000, cooldownDuration: 30_000 })
    : undefined;
  const secret = new TextEncoder().encode(config.JWT_SECRET);
  const algorithms = config.JWT_ALGORITHMS?.length
    ? config.JWT_ALGORITHMS
    : jwks
      ? asymmetricAlgorithms
      : ['HS256'];
  if (jwks && algorithms.some((alg) => alg.startsWith('HS'))) {
    // A JWKS holds public keys; accepting HMAC there would let anyone sign with a public key.
    throw new Error(
      'Invalid configuration:\n  JWT_ALGORITHMS: HS* algorithms cannot be used with JWT_JWKS_URL',
    );
  }

  const verified = new LRUCache<string, VerifiedUser>({ max: VERIFIED_TOKEN_CACHE_SIZE });

  return async function verify(token: string): Promise<VerifiedUser> {
    const known = verified.get(token);
    if (known) return known;
    try {
      const options = {
        algorithms,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        clockTolerance: config.JWT_CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'sub'],
      };
      const { payload } = jwks
        ? await jwtVerify(token, jwks, options)
        : await jwtVerify(token, secret, options);
      const claimed = Array.isArray(payload.roles)
        ? payload.roles
        : typeof payload.role === 'string'
          ? [payload.role]
          : [];
      const userRoles = claimed
        .map((role) => String(role).toUpperCase())
        .filter((role): role is Role => roles.includes(role as Role));
      // Claims become database values downstream: refuse control characters and absurd sizes
      // here (401) rather than fail later (500). Region claims are matched case-insensitively.
      const claimText = (value: unknown, max: number) =>
        // eslint-disable-next-line no-control-regex -- finding control characters is the point
        typeof value === 'string' && value.length <= max && !/[\u0000-\u001f\u007f]/.test(value)
          ? value
          : undefined;
      if (!claimText(payload.sub, 200)) throw new AuthenticationError('Token subject is not acceptable.');
      const regionClaim = typeof payload.region === 'string' ? payload.region.toUpperCase() : undefined;
      const region = regions.includes(regionClaim as Region) ? (regionClaim as Region) : undefined;
      const email = claimText(payload.email, 320);
      const name = claimText(payload.name, 200);
      // Shared by every request that presents this token: frozen, so none can change it for the others.
      const user: VerifiedUser = Object.freeze({
        id: payload.sub!,
        roles: Object.freeze(userRoles.length ? [...new Set(userRoles)] : ['TRAVELER']) as Role[],
        ...(email ? { email } : {}),
        ...(name ? { name } : {}),
        ...(region ? { region } : {}),
      });
      const ttl = Math.min(payload.exp! * 1000 - Date.now(), maxAgeMs);
      if (ttl > 0) verified.set(token, user, { ttl });
      return user;
    } catch (error) {
      throw toAuthenticationError(error);
    }
  };
}

function toAuthenticationError(error: unknown): Error {
  if (error instanceof AuthenticationError) return error;
  if (error instanceof joseErrors.JWTExpired) return new AuthenticationError('Token has expired.');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return new AuthenticationError('Token is not valid yet.');
    return new AuthenticationError(`Token claim "${error.claim}" is not acceptable.`);
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return new AuthenticationError('Token algorithm is not accepted.');
  if (error instanceof joseErrors.JWKSNoMatchingKey)
    return new AuthenticationError('Token signing key is unknown.');
  if (error instanceof joseErrors.JWKSTimeout)
    return new AuthenticationError('Token keys could not be fetched; try again.');
  if (error instanceof joseErrors.JOSEError) return new AuthenticationError('Token is not valid.');
  return error instanceof Error ? error : new Error(String(error));
}

export interface Authenticator {
  /** The identity of a request, or AuthenticationError (401) for bad credentials. */
  authenticate(input: {
    authorization?: string;
    apiKey?: string;
    requestId: string;
    ip?: string;
  }): Promise<Identity>;
}

/**
 * No credentials means anonymous; credentials that do not verify are refused (401), never
 * downgraded to anonymous. A user token and an API key together are refused as ambiguous.
 */
export function createAuthenticator(config: JwtConfig, apiKeys: ApiKeyStore): Authenticator {
  const verifyJwt = createJwtVerifier(config);
  return {
    async authenticate({ authorization, apiKey, requestId, ip }) {
      const base: Identity = { requestId, ...(ip ? { ip } : {}) };
      if (authorization && apiKey) {
        throw new AuthenticationError('Send either an Authorization token or an x-api-key, not both.');
      }
      if (authorization) {
        const match = /^Bearer\s+(\S+)$/i.exec(authorization);
        if (!match) throw new AuthenticationError('Authorization header must be "Bearer <token>".');
        return { ...base, user: await verifyJwt(match[1]!) };
      }
      if (apiKey) {
        const key = await apiKeys.verify(apiKey);
        if (!key) throw new AuthenticationError('API key is not valid or has been revoked.');
        return { ...base, apiKey: { id: key.id, owner: key.owner, scopes: key.scopes } };
      }
      return base;
    },
  };
}

/**
 * Establishes who is calling (JWT, API key or anonymous); bad credentials get a 401. A refused
 * credential costs the client address a point of its anonymous budget, so guessing keys or
 * tokens (each guess a key lookup) is rate limited like any anonymous traffic: 429 once spent.
 */
export function authenticationMiddleware(
  authenticator: Authenticator,
  logger: Logger,
  limiter?: EdgeRateLimiter,
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    let identity: Identity;
    try {
      const apiKey = req.headers['x-api-key'];
      identity = await authenticator.authenticate({
        authorization: req.headers.authorization,
        apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey,
        requestId: req.requestId,
        ip: req.ip,
      });
    } catch (error) {
      if (!(error instanceof AuthenticationError)) return next(error);
      logger.info({ reason: error.message, ip: req.ip }, 'authentication refused');
      authenticationFailures.inc({
        service: 'gateway',
        credential: req.headers['x-api-key'] ? 'api_key' : 'token',
      });
      if (limiter) {
        try {
          if (await chargeRefusedCredential(limiter, req, res)) return;
        } catch (limiterError) {
          return next(limiterError);
        }
      }
      res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
      return sendGraphQLError(res, 401, ErrorCode.UNAUTHENTICATED, error.message, req.requestId);
    }
    res.locals.identity = identity;
    runWithRequestContext(
      { requestId: req.requestId, identity, traceparent: req.headers.traceparent as string | undefined },
      () => next(),
    );
  };
}
