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
}

/**
 * A user token as the identity provider would issue it (HS256). Used by `npm run token` for
 * development and by the tests to sign in.
 */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  const userId = options.userId ?? `user-${options.role.toLowerCase()}-demo`;
  return new SignJWT({
    roles: [options.role],
    email: options.email ?? `${userId}@example.com`,
    name: options.name ?? userId,
    region: options.region ?? 'US_EAST',
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(options.issuer ?? 'traveloure')
    .setAudience(options.audience ?? 'traveloure-api')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(new TextEncoder().encode(options.secret));
}
