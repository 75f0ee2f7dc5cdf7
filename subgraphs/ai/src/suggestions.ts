import type { Logger } from 'pino';
import {
  counter,
  isIataCode,
  normalizeCacheKey,
  rejectInput,
  userError,
  type Identity,
  type UserError,
} from '@traveloure/platform';
import type { AiDependencies } from './context.ts';
import type { SuggestionRow } from './db/database.ts';
import { placesForDestination, toPlannerPlace } from './db/places.repository.ts';
import { insertSuggestion, storedSuggestion } from './db/suggestions.repository.ts';
import type { SuggestionModel } from './models.ts';
import { planItinerary } from './planner/planner.ts';
import { datesBetween } from './planner/time.ts';
import { MAX_TRIP_DAYS, type PlanRequest, type PlannedDay } from './planner/types.ts';

const suggestionsTotal = counter(
  'ai_suggestions_total',
  'Itinerary suggestions generated, by source and why',
  ['service', 'source', 'reason'],
);

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** Checks and normalises a request; every problem is a UserError naming its field (UserInputError). */
export function normalizeRequest(request: PlanRequest, fieldPrefix: string[]): PlanRequest {
  const errors: UserError[] = [];
  const field = (name: string) => [...fieldPrefix, name];
  const destinationCode = request.destinationCode.trim().toUpperCase();
  if (!isIataCode(destinationCode)) {
    errors.push(
      userError(field('destinationCode'), 'Use a 3-letter IATA city code, e.g. PAR.', 'INVALID_DESTINATION'),
    );
  }
  const validDate = (value: string) =>
    datePattern.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
  if (!validDate(request.startDate))
    errors.push(userError(field('startDate'), 'Not a calendar date.', 'INVALID_DATE'));
  if (!validDate(request.endDate))
    errors.push(userError(field('endDate'), 'Not a calendar date.', 'INVALID_DATE'));
  if (validDate(request.startDate) && validDate(request.endDate)) {
    if (request.endDate < request.startDate) {
      errors.push(
        userError(field('endDate'), 'The trip must end on or after its first day.', 'END_BEFORE_START'),
      );
    } else if (datesBetween(request.startDate, request.endDate).length > MAX_TRIP_DAYS) {
      errors.push(
        userError(field('endDate'), `Suggestions cover at most ${MAX_TRIP_DAYS} days.`, 'TOO_LONG'),
      );
    }
  }
  if (!Number.isInteger(request.travelers) || request.travelers < 1 || request.travelers > 20) {
    errors.push(userError(field('travelers'), 'Between 1 and 20 travelers.', 'OUT_OF_RANGE'));
  }
  const interests = [
    ...new Set(request.interests.map((interest) => interest.trim().toLowerCase()).filter(Boolean)),
  ].sort();
  if (interests.length > 10 || interests.some((interest) => interest.length > 40)) {
    errors.push(userError(field('interests'), 'At most 10 interests of up to 40 characters.', 'TOO_MANY'));
  }
  if (errors.length > 0) rejectInput(...errors);
  return { ...request, destinationCode, interests };
}

/**
 * A suggestion for the request: from the response cache when the same caller asked the same
 * thing in the last 24 hours, else the one stored for it then (the cache may have lost it), else
 * generated (LLM, or the planner when there is no LLM or it fails), stored, and cached. Only a
 * generation takes from the caller's `@generationLimit` budget for `coordinate`.
 */
export async function suggest(
  deps: AiDependencies & { logger: Logger; identity: Identity },
  ask: {
    owner: string;
    tripId: string | null;
    request: PlanRequest;
    fieldPrefix: string[];
    /** The field asking (`Type.field`), whose generation limit applies. */
    coordinate: string;
  },
): Promise<SuggestionModel> {
  const request = normalizeRequest(ask.request, ask.fieldPrefix);
  const keyMaterial = { v: 1, owner: ask.owner, tripId: ask.tripId, request };
  const cacheKey = normalizeCacheKey(keyMaterial);
  const ttlSeconds = deps.config.SUGGESTION_CACHE_TTL_SECONDS;
  const result = await deps.suggestionCache.get<SuggestionModel>(
    `suggestion:${cacheKey}`,
    async () => {
      const stored = await storedSuggestion(deps.db, cacheKey, new Date(Date.now() - ttlSeconds * 1000));
      if (stored) return toModel(stored);
      await deps.generationLimits.consume(ask.coordinate, deps.identity);
      return toModel(await generate(deps, { ...ask, request, cacheKey }));
    },
    { ttlSeconds, tags: [`destination:${request.destinationCode}`] },
  );
  return result.value;
}

async function generate(
  deps: AiDependencies & { logger: Logger },
  ask: {
    owner: string;
    tripId: string | null;
    request: PlanRequest;
    fieldPrefix: string[];
    cacheKey: string;
  },
): Promise<SuggestionRow> {
  const { request } = ask;
  const places = (await placesForDestination(deps.db, request.destinationCode)).map(toPlannerPlace);
  if (places.length === 0) {
    rejectInput(
      userError(
        [...ask.fieldPrefix, 'destinationCode'],
        `No places are known for ${request.destinationCode} yet.`,
        'UNKNOWN_DESTINATION',
      ),
    );
  }
  let days: PlannedDay[] | undefined;
  let source: 'LLM' | 'PLANNER' = 'PLANNER';
  let reason = 'no-llm';
  if (deps.llm.enabled) {
    try {
      days = await deps.llm.suggestItinerary(request, places);
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
  return insertSuggestion(deps.db, {
    cacheKey: ask.cacheKey,
    owner: ask.owner,
    tripId: ask.tripId,
    request,
    source,
    model: source === 'LLM' ? deps.llm.model : null,
    days,
  });
}

export function toModel(row: SuggestionRow): SuggestionModel {
  return {
    id: row.id,
    source: row.source,
    model: row.model,
    destinationCode: row.destination_code,
    days: (typeof row.days === 'string' ? JSON.parse(row.days) : row.days) as PlannedDay[],
    generatedAt: new Date(row.generated_at).toISOString(),
  };
}
