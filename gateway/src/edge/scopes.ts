import type { FieldNode, FragmentDefinitionNode, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { Kind } from 'graphql';

/**
 * What a partner key may call, by root field. A root field not listed here is refused to every
 * API key (default deny), so a new field has to be placed in a scope before partners can call it.
 */
export const scopeOfRootField: Record<string, Scope> = {
  // catalog: public reference data
  destination: 'catalog',
  destinations: 'catalog',
  experts: 'catalog',
  // search: flights and hotels
  searchFlights: 'search',
  searchHotels: 'search',
  // trips: users, trips and itineraries
  me: 'trips',
  user: 'trips',
  trip: 'trips',
  trips: 'trips',
  createTrip: 'trips',
  updateTrip: 'trips',
  deleteTrip: 'trips',
  addItineraryItem: 'trips',
  updateItineraryItem: 'trips',
  removeItineraryItem: 'trips',
  // ai: planning and expert chat
  planItinerary: 'ai',
  itinerarySuggestion: 'ai',
  replyAsExpert: 'ai',
  conversation: 'ai',
  myConversations: 'ai',
  startConversation: 'ai',
  sendMessage: 'ai',
  // notifications
  markNotificationRead: 'notifications',
  markAllNotificationsRead: 'notifications',
  updateNotificationPreferences: 'notifications',
  // analytics
  destinationPopularity: 'analytics',
  searchDemand: 'analytics',
  notificationStats: 'analytics',
};

/** Root fields no API key may call, whatever its scopes (administration). */
export const keyForbiddenRootFields = new Set(['broadcastEmergencyAlert']);

export const scopes = ['catalog', 'search', 'trips', 'ai', 'notifications', 'analytics'] as const;
export type Scope = (typeof scopes)[number];

export function isScope(value: string): value is Scope {
  return (scopes as readonly string[]).includes(value);
}

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
