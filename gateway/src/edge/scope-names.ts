/**
 * The scopes a partner key can hold, apart from the rules that check an operation against them
 * (scopes.ts): `npm run apikey` needs the names, not graphql.
 */
export const scopes = ['catalog', 'search', 'ai', 'analytics'] as const;
export type Scope = (typeof scopes)[number];

/**
 * Scopes that were withdrawn because every field they named acts for a signed-in person, so a
 * key holding one could call nothing with it. Migration 002 removed them from stored keys.
 */
export const retiredScopes: Record<string, string> = {
  trips: 'trips, users and itineraries belong to a signed-in person; call them with a user token',
  notifications: 'notifications belong to a signed-in person; call them with a user token',
};

export function isScope(value: string): value is Scope {
  return (scopes as readonly string[]).includes(value);
}
