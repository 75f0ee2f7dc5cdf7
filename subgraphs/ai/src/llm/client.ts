import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { Logger } from 'pino';
import { UpstreamError, isRetryableStatus, type Upstream } from '@traveloure/platform';
import { datesBetween, formatClock } from '../planner/time.ts';
import type { PlannedDay, PlannerPlace, PlanRequest } from '../planner/types.ts';
import { itineraryJsonSchema, llmItinerarySchema, type LlmItinerary } from './itinerary-schema.ts';

export interface LlmSettings {
  baseUrl: string;
  apiKey?: string;
  model: string;
  /**
   * What one itinerary or chat answer may take in all, every attempt included; past it the
   * caller gets an UpstreamError at once and answers without the LLM.
   */
  deadlineMs: number;
}

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The LLM answered, but not with a usable itinerary (bad JSON, wrong shape, or a refusal). */
export class LlmAnswerError extends Error {
  override name = 'LlmAnswerError';
  constructor(
    message: string,
    readonly reason: 'refusal' | 'invalid',
  ) {
    super(message);
  }
}

export interface LlmClient {
  /** False without LLM_API_KEY: callers go straight to the planner. */
  readonly enabled: boolean;
  readonly model: string;
  /** An itinerary checked against the schema; throws LlmAnswerError or UpstreamError. */
  suggestItinerary(request: PlanRequest, places: readonly PlannerPlace[]): Promise<PlannedDay[]>;
  /** A plain-text chat answer; throws UpstreamError when the LLM is unreachable. */
  chat(turns: ChatTurn[]): Promise<string>;
}

/** Attempts per itinerary: the first, plus one retry on an invalid answer or a refusal. */
const ANSWER_ATTEMPTS = 2;

/**
 * OpenAI-compatible chat completions (xAI by default) through the `openai` SDK. The SDK's own
 * retries and timeout are off: every call goes through the shared upstream wrapper, which owns
 * the timeout, retries on transient failures, the circuit breaker and the bulkhead.
 */
export function createLlmClient(settings: LlmSettings, upstream: Upstream, logger: Logger): LlmClient {
  const openai = new OpenAI({
    baseURL: settings.baseUrl,
    apiKey: settings.apiKey ?? 'unset',
    maxRetries: 0,
    timeout: 10 * 60_000,
  });

  const complete = (
    body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
    deadline: AbortSignal,
  ) =>
    beforeDeadline(deadline, settings.deadlineMs, () =>
      // The deadline's signal also stops the wrapper's retries and aborts the request in flight.
      upstream.call(
        async (signal) => {
          try {
            return await openai.chat.completions.create(body, { signal });
          } catch (error) {
            throw toUpstreamError(error);
          }
        },
        { signal: deadline },
      ),
    );

  return {
    enabled: Boolean(settings.apiKey),
    model: settings.model,

    async suggestItinerary(request, places) {
      const expectedDates = datesBetween(request.startDate, request.endDate);
      const messages = itineraryPrompt(request, places);
      const deadline = AbortSignal.timeout(settings.deadlineMs);
      let lastError: LlmAnswerError | undefined;
      for (let attempt = 1; attempt <= ANSWER_ATTEMPTS; attempt++) {
        const completion = await complete(
          {
            model: settings.model,
            messages,
            temperature: 0.3,
            response_format: {
              type: 'json_schema',
              json_schema: {
                name: 'itinerary',
                strict: true,
                schema: itineraryJsonSchema as unknown as Record<string, unknown>,
              },
            },
          },
          deadline,
        );
        try {
          const itinerary = checkAnswer(completion, expectedDates);
          return toPlannedDays(itinerary, places);
        } catch (error) {
          if (!(error instanceof LlmAnswerError)) throw error;
          lastError = error;
          logger.warn(
            { attempt, reason: error.reason, detail: error.message },
            'LLM itinerary answer unusable',
          );
        }
      }
      throw lastError!;
    },

    async chat(turns) {
      const completion = await complete(
        { model: settings.model, messages: turns, temperature: 0.5, max_tokens: 600 },
        AbortSignal.timeout(settings.deadlineMs),
      );
      const message = completion.choices[0]?.message;
      const text = message?.content?.trim();
      if (message?.refusal || !text)
        throw new LlmAnswerError('no chat answer', message?.refusal ? 'refusal' : 'invalid');
      return text;
    },
  };
}

/**
 * The call's outcome, or an UpstreamError as soon as the deadline passes: the wrapper's back-off
 * sleep and bulkhead queue do not watch the signal, and the caller should not wait for them.
 */
function beforeDeadline<T>(deadline: AbortSignal, deadlineMs: number, start: () => Promise<T>): Promise<T> {
  const late = () =>
    new UpstreamError({
      upstream: 'llm',
      detail: `no usable answer within ${deadlineMs} ms`,
      retryable: true,
    });
  if (deadline.aborted) return Promise.reject(late());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(late());
    deadline.addEventListener('abort', onAbort, { once: true });
    start()
      .then(resolve, reject)
      .finally(() => deadline.removeEventListener('abort', onAbort));
  });
}

function checkAnswer(
  completion: OpenAI.Chat.Completions.ChatCompletion,
  expectedDates: string[],
): LlmItinerary {
  const choice = completion.choices[0];
  if (!choice) throw new LlmAnswerError('no choices in the answer', 'invalid');
  if (choice.message.refusal)
    throw new LlmAnswerError(`refused: ${choice.message.refusal.slice(0, 200)}`, 'refusal');
  if (choice.finish_reason === 'content_filter') throw new LlmAnswerError('answer filtered', 'refusal');
  if (choice.finish_reason === 'length')
    throw new LlmAnswerError('answer cut off at the token limit', 'invalid');
  let json: unknown;
  try {
    json = JSON.parse(choice.message.content ?? '');
  } catch {
    throw new LlmAnswerError('answer is not JSON', 'invalid');
  }
  const parsed = llmItinerarySchema.safeParse(json);
  if (!parsed.success) {
    throw new LlmAnswerError(
      `answer does not match the schema: ${parsed.error.issues[0]?.message ?? ''}`,
      'invalid',
    );
  }
  const dates = parsed.data.days.map((day) => day.date);
  if (dates.length !== expectedDates.length || dates.some((date, index) => date !== expectedDates[index])) {
    throw new LlmAnswerError('answer does not cover exactly the trip dates', 'invalid');
  }
  // Schema-valid is not enough: a plan that sends the traveler to the same sight twice is asked again.
  const visited = new Set<string>();
  for (const activity of parsed.data.days.flatMap((day) => day.activities)) {
    if (activity.kind !== 'ACTIVITY') continue;
    const place = activity.title.trim().toLowerCase();
    if (visited.has(place))
      throw new LlmAnswerError(`answer repeats a place: ${activity.title.slice(0, 100)}`, 'invalid');
    visited.add(place);
  }
  return parsed.data;
}

function itineraryPrompt(request: PlanRequest, places: readonly PlannerPlace[]): ChatTurn[] {
  const candidates = places.map((place) => ({
    name: place.name,
    category: place.category,
    latitude: place.latitude,
    longitude: place.longitude,
    durationMinutes: place.durationMinutes,
    opens: formatClock(place.opensMinute),
    closes: formatClock(place.closesMinute),
    closedDays: place.closedDays,
    costLevel: place.costLevel,
    interests: place.interests,
  }));
  return [
    {
      role: 'system',
      content:
        'You are the itinerary planner of Traveloure. Plan one entry per trip date, in order. ' +
        'Prefer the candidate places given (exact names), never repeat a place, respect opening hours and ' +
        'closed days (0 = Sunday), keep each day geographically tight, put lunch between 12:00 and 14:00 and ' +
        'dinner between 18:30 and 21:00 (kind MEAL), and match the pace: RELAXED 2-3, MODERATE 3-4, PACKED 5-6 ' +
        'activities a day besides meals. Costs are for the whole group, in USD. Answer only with JSON matching the schema.',
    },
    {
      role: 'user',
      content: JSON.stringify({
        trip: request,
        dates: datesBetween(request.startDate, request.endDate),
        candidates,
      }),
    },
  ];
}

function toPlannedDays(itinerary: LlmItinerary, places: readonly PlannerPlace[]): PlannedDay[] {
  const byName = new Map(places.map((place) => [place.name.toLowerCase(), place]));
  return itinerary.days.map((day) => ({
    date: day.date,
    activities: [...day.activities]
      .sort((a, b) => a.startTime.localeCompare(b.startTime))
      .map((activity) => ({
        title: activity.title,
        description: activity.description,
        category: activity.kind === 'MEAL' ? 'MEAL' : activity.category.toUpperCase(),
        kind: activity.kind,
        placeId: byName.get(activity.title.toLowerCase())?.id ?? null,
        startTime: activity.startTime,
        durationMinutes: activity.durationMinutes,
        latitude: activity.latitude,
        longitude: activity.longitude,
        estimatedCost: { amount: activity.estimatedCostUsd.toFixed(2), currency: 'USD' },
      })),
  }));
}

/** SDK errors as the wrapper's UpstreamError: 408/429/5xx and network failures are retryable. */
function toUpstreamError(error: unknown): unknown {
  if (error instanceof APIUserAbortError) return error;
  if (error instanceof APIConnectionError) {
    return new UpstreamError({ upstream: 'llm', detail: error.message, retryable: true, cause: error });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const retryAfter = Number(error.headers?.get?.('retry-after'));
    return new UpstreamError({
      upstream: 'llm',
      detail: `HTTP ${error.status}: ${error.message}`.slice(0, 300),
      retryable: isRetryableStatus(error.status),
      status: error.status,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      cause: error,
    });
  }
  return error;
}
