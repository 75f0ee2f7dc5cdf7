import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { inKeyOrder } from '@traveloure/platform';
import type {
  ConversationRow,
  Database,
  ExpertRow,
  SuggestionRow,
  TripProjectionRow,
} from './db/database.ts';
import { conversationsByIds, messageCounts } from './db/conversations.repository.ts';
import { expertsByIds } from './db/experts.repository.ts';
import { suggestionsByIds } from './db/suggestions.repository.ts';
import { tripsByIds } from './db/trip-projection.repository.ts';

export interface Loaders {
  expertById: DataLoader<string, ExpertRow | null>;
  conversationById: DataLoader<string, ConversationRow | null>;
  suggestionById: DataLoader<string, SuggestionRow | null>;
  messageCountByConversationId: DataLoader<string, number>;
  /** Trips as the trip subgraph's events projected them (ai.trip_projection). */
  tripById: DataLoader<string, TripProjectionRow | null>;
}

/** Per-request loaders: each batch is one SQL statement, results in key order, null for missing. */
export function createLoaders(db: Kysely<Database>): Loaders {
  const byId = (row: { id: string }) => row.id;
  return {
    expertById: new DataLoader(async (ids) => inKeyOrder(ids, await expertsByIds(db, ids), byId)),
    conversationById: new DataLoader(async (ids) => inKeyOrder(ids, await conversationsByIds(db, ids), byId)),
    suggestionById: new DataLoader(async (ids) => inKeyOrder(ids, await suggestionsByIds(db, ids), byId)),
    messageCountByConversationId: new DataLoader(async (ids) =>
      inKeyOrder(ids, await messageCounts(db, ids), (row) => row.conversationId).map(
        (row) => row?.count ?? 0,
      ),
    ),
    // Trip ids arrive from other subgraphs and events in either case; PostgreSQL answers lower case.
    tripById: new DataLoader(async (ids) =>
      inKeyOrder(ids, await tripsByIds(db, ids), byId, { normalizeKey: (id) => id.toLowerCase() }),
    ),
  };
}
