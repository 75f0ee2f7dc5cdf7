import { SignJWT } from 'jose';
import type { Region, Role } from '@traveloure/platform';

export interface MintTokenOptions {
  role: Role;
  userId?: string;
  email?: string;
  name?: string;
  region?: Region;
  secret: string;
  issuer?: string;
  audience?: string;
  expiresIn?: string | number;
  /**
   * Leave out the email, name and region claims that were not given, instead of making them up,
   * so signing in as an existing (e.g. demo) user keeps the profile it has.
   */
  onlyGivenClaims?: boolean;
}

/**
 * A user token as the identity provider would issue it (HS256). Used by `npm run token` for
 * development and by the tests to sign in.
 */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  const userId = options.userId ?? `user-${options.role.toLowerCase()}-demo`;
  const claims = options.onlyGivenClaims
    ? {
        ...(options.email ? { email: options.email } : {}),
        ...(options.name ? { name: options.name } : {}),
        ...(options.region ? { region: options.region } : {}),
      }
    : {
        email: options.email ?? `${userId}@example.com`,
        name: options.name ?? userId,
        region: options.region ?? 'US_EAST',
      };
  return new SignJWT({ roles: [options.role], ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(options.issuer ?? 'traveloure')
    .setAudience(options.audience ?? 'traveloure-api')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(options.secret));
}
