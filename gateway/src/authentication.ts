import { jwtVerify, errors as joseErrors } from 'jose';
import { regions, roles, type Identity, type Region, type Role } from '@traveloure/platform';
import type { GatewayConfig } from './config.ts';

export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

/**
 * Turns `Authorization: Bearer <JWT>` into the user part of an Identity. No header means an
 * anonymous caller; a header that does not verify is an error (401), never anonymous.
 */
export async function authenticateBearer(
  authorization: string | undefined,
  config: Pick<GatewayConfig, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE'>,
): Promise<Identity['user'] | undefined> {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw new AuthenticationError('Authorization header must be "Bearer <token>".');
  try {
    const { payload } = await jwtVerify(match[1]!, new TextEncoder().encode(config.JWT_SECRET), {
      algorithms: ['HS256'],
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    if (!payload.sub) throw new AuthenticationError('Token has no subject.');
    const claimed = Array.isArray(payload.roles) ? payload.roles : [];
    const userRoles = claimed.filter((role): role is Role => roles.includes(role as Role));
    const region = regions.includes(payload.region as Region) ? (payload.region as Region) : undefined;
    return {
      id: payload.sub,
      roles: userRoles.length ? userRoles : ['TRAVELER'],
      ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
      ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
      ...(region ? { region } : {}),
    };
  } catch (error) {
    if (error instanceof AuthenticationError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new AuthenticationError('Token has expired.');
    if (error instanceof joseErrors.JOSEError) throw new AuthenticationError('Token is not valid.');
    throw error;
  }
}
