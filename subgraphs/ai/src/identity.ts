import { unauthenticated, type Identity } from '@traveloure/platform';

/**
 * Who owns what this caller asks for: `user:<id>` for people, `key:<id>` for partners. Also
 * the rate-limit key, so limits are per caller and never global.
 */
export function callerKey(identity: Identity): string | undefined {
  if (identity.user) return `user:${identity.user.id}`;
  if (identity.apiKey) return `key:${identity.apiKey.id}`;
  return undefined;
}

export function requireCaller(identity: Identity): string {
  const key = callerKey(identity);
  if (!key) throw unauthenticated('Sign in or use an API key to ask for itinerary suggestions.');
  return key;
}
