import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
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

/** Per-request loaders: each batch is one SQL statement, results in key order. */
export function createLoaders(db: Kysely<Database>) {
  return {
    expert: new DataLoader<string, ExpertRow | null>((ids) => expertsByIds(db, ids)),
    conversation: new DataLoader<string, ConversationRow | null>((ids) => conversationsByIds(db, ids)),
    suggestion: new DataLoader<string, SuggestionRow | null>((ids) => suggestionsByIds(db, ids)),
    messageCount: new DataLoader<string, number>((ids) => messageCounts(db, ids)),
    /** Trips as the trip subgraph's events projected them (ai.trip_projection). */
    trip: new DataLoader<string, TripProjectionRow | null>((ids) => tripsByIds(db, ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
