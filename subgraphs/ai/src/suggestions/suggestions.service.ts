import { counter, isAdmin, normalizeCacheKey, rejectInput, userError } from '@traveloure/platform';
import type { AiContext } from '../context.ts';
import type { SuggestionRow } from '../db/database.ts';
import { placesForDestination, toPlannerPlace } from '../db/places.repository.ts';
import { insertSuggestion, storedSuggestion } from '../db/suggestions.repository.ts';
import type { SuggestionModel } from '../models.ts';
import { planItinerary } from '../planner/planner.ts';
import type { PlanRequest, PlannedDay } from '../planner/types.ts';

const suggestionsTotal = counter(
  'ai_suggestions_total',
  'Itinerary suggestions generated, by source and why',
  ['service', 'source', 'reason'],
);

type SuggestionDeps = Pick<AiContext, 'services' | 'logger' | 'identity'>;

export interface SuggestionAsk {
  /** Who the suggestion is for (`callerKey`): part of the cache key, and its owner when stored. */
  owner: string;
  tripId: string | null;
  /** Already checked and normalised with `planRequestInput`. */
  request: PlanRequest;
  /** Where the request came from in the arguments (`['input']`), for the errors found here. */
  inputPath: string[];
  /** The field asking (`Type.field`), whose generation limit applies. */
  coordinate: string;
}

/**
 * A suggestion for the request: from the data cache when the same caller asked the same
 * thing in the last 24 hours, else the one stored for it then (the cache may have lost it), else
 * generated (LLM, or the planner when there is no LLM or it fails), stored, and cached. Only a
 * generation takes from the caller's `@generationLimit` budget for `coordinate`.
 */
export async function suggestItinerary(deps: SuggestionDeps, ask: SuggestionAsk): Promise<SuggestionModel> {
  const { request } = ask;
  const keyMaterial = { v: 1, owner: ask.owner, tripId: ask.tripId, request };
  const cacheKey = normalizeCacheKey(keyMaterial);
  const ttlSeconds = deps.services.config.SUGGESTION_CACHE_TTL_SECONDS;
  const result = await deps.services.suggestionCache.get<SuggestionModel>(
    `suggestion:${cacheKey}`,
    async () => {
      const stored = await storedSuggestion(
        deps.services.db,
        cacheKey,
        new Date(Date.now() - ttlSeconds * 1000),
      );
      if (stored) return toSuggestionModel(stored);
      await deps.services.generationLimits.consume(ask.coordinate, deps.identity);
      return toSuggestionModel(await generate(deps, ask, cacheKey));
    },
    { ttlSeconds, tags: [`destination:${request.destinationCode}`] },
  );
  return result.value;
}

/** A stored suggestion for its owner (or an admin); anyone else's reads as missing, so ids probe nothing. */
export async function readSuggestion(
  context: Pick<AiContext, 'loaders' | 'identity'>,
  caller: string,
  id: string,
): Promise<SuggestionModel | null> {
  const row = await context.loaders.suggestionById.load(id);
  if (!row || (row.owner !== caller && !isAdmin(context.identity))) return null;
  return toSuggestionModel(row);
}

async function generate(deps: SuggestionDeps, ask: SuggestionAsk, cacheKey: string): Promise<SuggestionRow> {
  const { request } = ask;
  const places = (await placesForDestination(deps.services.db, request.destinationCode)).map(toPlannerPlace);
  if (places.length === 0) {
    rejectInput(
      userError(
        [...ask.inputPath, 'destinationCode'],
        `No places are known for ${request.destinationCode} yet.`,
        'UNKNOWN_DESTINATION',
      ),
    );
  }
  let days: PlannedDay[] | undefined;
  let source: 'LLM' | 'PLANNER' = 'PLANNER';
  let reason = 'no-llm';
  if (deps.services.llm.enabled) {
    try {
      days = await deps.services.llm.suggestItinerary(request, places);
      source = 'LLM';
      reason = 'ok';
    } catch (error) {
      reason = error instanceof Error ? error.name : 'error';
      deps.logger.warn(
        { err: error, destination: request.destinationCode },
        'LLM itinerary failed; using the planner',
      );
    }
  }
  days ??= planItinerary(request, places);
  suggestionsTotal.inc({ service: 'ai', source, reason });
  return insertSuggestion(deps.services.db, {
    cacheKey,
    owner: ask.owner,
    tripId: ask.tripId,
    request,
    source,
    model: source === 'LLM' ? deps.services.llm.model : null,
    days,
  });
}

function toSuggestionModel(row: SuggestionRow): SuggestionModel {
  return {
    id: row.id,
    source: row.source,
    model: row.model,
    destinationCode: row.destination_code,
    days: (typeof row.days === 'string' ? JSON.parse(row.days) : row.days) as PlannedDay[],
    generatedAt: new Date(row.generated_at).toISOString(),
  };
}
