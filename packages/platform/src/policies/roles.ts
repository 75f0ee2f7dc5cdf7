import { forbidden, unauthenticated } from '../errors.ts';
import { hasRole, type Identity } from '../identity.ts';

export const isAdmin = (identity: Identity | undefined): boolean => hasRole(identity, 'ADMIN');

/** Analysts and admins: the people who read analytics. */
export const isAnalystOrAdmin = (identity: Identity | undefined): boolean =>
  hasRole(identity, 'ANALYST') || hasRole(identity, 'ADMIN');

/**
 * Who may read analytics (popularity, demand, delivery statistics): analysts and admins, and
 * partner keys granted the `analytics` scope. Throws UNAUTHENTICATED or FORBIDDEN otherwise.
 */
export function requireAnalyticsReader(identity: Identity, what: string): void {
  if (isAnalystOrAdmin(identity)) return;
  if (identity.apiKey?.scopes.includes('analytics')) return;
  if (!identity.user && !identity.apiKey) throw unauthenticated();
  throw forbidden(`${what} are for analysts, admins and partner keys with the analytics scope.`);
}
