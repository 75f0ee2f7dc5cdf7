import type { FieldNode, FragmentDefinitionNode, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { Kind } from 'graphql';
import type { Scope } from './scope-names.ts';

export { isScope, retiredScopes, scopes, type Scope } from './scope-names.ts';

/**
 * What a partner key may call, by root field: only fields whose resolvers serve a key (a key acts
 * for no person). A root field in no scope is refused to every API key (default deny), so a new
 * field has to be placed here, or among the user-only or admin fields, on purpose.
 */
export const scopeOfRootField: Record<string, Scope> = {
  // catalog: public reference data
  destination: 'catalog',
  destinations: 'catalog',
  experts: 'catalog',
  // search: flights and hotels
  searchFlights: 'search',
  searchHotels: 'search',
  // ai: itinerary planning; a suggestion belongs to the key that asked for it
  planItinerary: 'ai',
  itinerarySuggestion: 'ai',
  // analytics: the subgraphs accept the key as they accept an ANALYST
  destinationPopularity: 'analytics',
  searchDemand: 'analytics',
  notificationStats: 'analytics',
};

/**
 * Root fields that act for a signed-in person (their profile, trips, conversations and
 * notifications). A key has no person behind it, so no scope opens them: they take a user token.
 */
export const userOnlyRootFields = new Set([
  'me',
  'user',
  'trip',
  'trips',
  'createTrip',
  'updateTrip',
  'deleteTrip',
  'addItineraryItem',
  'updateItineraryItem',
  'removeItineraryItem',
  'conversation',
  'myConversations',
  'startConversation',
  'sendMessage',
  'replyAsExpert',
  'markNotificationRead',
  'markAllNotificationsRead',
  'updateNotificationPreferences',
]);

/** Root fields no API key may call, whatever its scopes (administration). */
export const keyForbiddenRootFields = new Set(['broadcastEmergencyAlert']);

/** Root fields of an operation (aliases included, fragments followed), in document order. */
export function rootFields(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
): FieldNode[] {
  const fields: FieldNode[] = [];
  const seen = new Set<string>();
  const walk = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments[selection.name.value];
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return fields;
}

/** Root fields a key with `granted` scopes may not call. Meta fields are always allowed. */
export function deniedRootFields(fields: FieldNode[], granted: readonly string[]): string[] {
  const denied = new Set<string>();
  for (const field of fields) {
    const name = field.name.value;
    if (name.startsWith('__')) continue;
    const scope = scopeOfRootField[name];
    if (!scope || !granted.includes(scope)) denied.add(name);
  }
  return [...denied];
}

/** Why a key may not call `denied` (from deniedRootFields): what it would take, per kind of field. */
export function scopeRefusalMessage(denied: readonly string[], granted: readonly string[]): string {
  const userOnly = denied.filter((name) => userOnlyRootFields.has(name));
  const adminOnly = denied.filter((name) => keyForbiddenRootFields.has(name));
  const outOfScope = denied.filter((name) => scopeOfRootField[name]);
  const unplaced = denied.filter(
    (name) => !scopeOfRootField[name] && !userOnlyRootFields.has(name) && !keyForbiddenRootFields.has(name),
  );
  const reasons: string[] = [];
  if (outOfScope.length) {
    const needed = [...new Set(outOfScope.map((name) => scopeOfRootField[name]!))];
    reasons.push(
      `This API key's scopes (${granted.join(', ') || 'none'}) do not allow ${outOfScope.join(', ')}: that takes the ${needed.join(', ')} scope.`,
    );
  }
  if (userOnly.length) {
    reasons.push(
      `${userOnly.join(', ')} act for a signed-in person, which an API key is not: call them with that person's token (Authorization: Bearer).`,
    );
  }
  if (adminOnly.length) reasons.push(`${adminOnly.join(', ')} are for administrators only.`);
  if (unplaced.length) reasons.push(`${unplaced.join(', ')} are not open to API keys.`);
  return reasons.join(' ');
}
