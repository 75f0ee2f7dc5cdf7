import type { Kysely } from 'kysely';
import type { Database, SuggestionRow } from './database.ts';
import { rowsByIds } from './rows.ts';
import type { PlannedDay, PlanRequest } from '../planner/types.ts';

export interface NewSuggestion {
  cacheKey: string;
  owner: string;
  tripId: string | null;
  request: PlanRequest;
  source: 'LLM' | 'PLANNER';
  model: string | null;
  days: PlannedDay[];
}

export async function insertSuggestion(
  db: Kysely<Database>,
  suggestion: NewSuggestion,
): Promise<SuggestionRow> {
  return db
    .insertInto('ai.suggestions')
    .values({
      cache_key: suggestion.cacheKey,
      owner: suggestion.owner,
      trip_id: suggestion.tripId,
      destination_code: suggestion.request.destinationCode,
      start_date: suggestion.request.startDate,
      end_date: suggestion.request.endDate,
      travelers: suggestion.request.travelers,
      budget: suggestion.request.budget,
      pace: suggestion.request.pace,
      interests: suggestion.request.interests,
      source: suggestion.source,
      model: suggestion.model,
      days: JSON.stringify(suggestion.days),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The suggestion generated for `cacheKey` since `since`, the newest one (index on cache_key, generated_at). */
export async function storedSuggestion(
  db: Kysely<Database>,
  cacheKey: string,
  since: Date,
): Promise<SuggestionRow | undefined> {
  return db
    .selectFrom('ai.suggestions')
    .selectAll()
    .where('cache_key', '=', cacheKey)
    .where('generated_at', '>=', since)
    .orderBy('generated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Suggestions by id, in any order (see rowsByIds). */
export function suggestionsByIds(db: Kysely<Database>, ids: readonly string[]): Promise<SuggestionRow[]> {
  return rowsByIds(db, 'ai.suggestions', ids);
}

/** The caller's latest suggestion for a trip: the trip context the chat assistant gets. */
export async function latestSuggestionForTrip(
  db: Kysely<Database>,
  tripId: string,
  owner: string,
): Promise<SuggestionRow | undefined> {
  return db
    .selectFrom('ai.suggestions')
    .selectAll()
    .where('trip_id', '=', tripId)
    .where('owner', '=', owner)
    .orderBy('generated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
