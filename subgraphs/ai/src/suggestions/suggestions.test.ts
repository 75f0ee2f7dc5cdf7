import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { signedHeaders } from '@traveloure/platform/testing';
import { startSubgraphForTest, type SubgraphForTest } from '../test-support.ts';
import { llmItinerarySchema } from '../llm/itinerary-schema.ts';
import { seedExperts } from '../db/seed/experts.ts';
import { ASSISTANT_FALLBACK } from '../chat/chat.service.ts';

const plan = /* GraphQL */ `
  mutation Plan($input: PlanItineraryInput!) {
    planItinerary(input: $input) {
      suggestion {
        id
        source
        model
        destinationCode
        generatedAt
        days {
          date
          activities {
            title
            kind
            category
            startTime
            durationMinutes
            latitude
            longitude
            estimatedCost {
              amount
              currency
            }
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

const tripSuggestion = /* GraphQL */ `
  query Trip($representations: [_Any!]!, $preferences: ItineraryPreferencesInput) {
    _entities(representations: $representations) {
      ... on Trip {
        id
        itinerarySuggestion(preferences: $preferences) {
          id
          source
          days {
            date
            activities {
              title
              startTime
            }
          }
        }
      }
    }
  }
`;

let harness: SubgraphForTest;
let counter = 0;
/** A different trip each time, so the 24-hour cache does not answer for another test. */
const input = (overrides: Record<string, unknown> = {}) => {
  counter++;
  return {
    destinationCode: 'PAR',
    startDate: '2027-05-03',
    endDate: '2027-05-05',
    travelers: 2,
    budget: 'MIDRANGE',
    pace: 'MODERATE',
    interests: ['art', `run${counter}`],
    ...overrides,
  };
};
const traveler = () => ({ id: `traveler-${randomUUID()}` });

beforeAll(async () => {
  // The breaker would open after a few of the failures below; its own test is further down.
  // The deadline leaves room for the wrapper's retry after a 1 s attempt timeout; the deadline's
  // own tests are further down too.
  harness = await startSubgraphForTest('ai_suggestions', {
    LLM_BREAKER_MIN_CALLS: '1000',
    LLM_DEADLINE_MS: '10000',
  });
});
afterAll(async () => harness?.close());
beforeEach(() => harness.llm.reset());

describe('planItinerary', () => {
  it('returns a schema-valid LLM suggestion that can be read again', async () => {
    const user = traveler();
    const { body: result } = await harness.graphql(plan, { input: input() }, user);
    expect(result.errors).toBeUndefined();
    const suggestion = result.data.planItinerary.suggestion;
    expect(suggestion.source).toBe('LLM');
    expect(suggestion.model).toBe('emulated-model');
    expect(suggestion.days.map((day: { date: string }) => day.date)).toEqual([
      '2027-05-03',
      '2027-05-04',
      '2027-05-05',
    ]);
    // What the LLM was asked for: strict JSON schema output.
    const request = harness.llm.requests[0]!;
    expect(request.response_format?.type).toBe('json_schema');
    expect(request.response_format?.json_schema?.strict).toBe(true);
    // The stored answer passes the same schema the client checks against.
    for (const day of suggestion.days) {
      expect(day.activities.length).toBeGreaterThan(0);
      for (const activity of day.activities) expect(activity.startTime).toMatch(/^\d{2}:\d{2}$/);
    }
    const { body: again } = await harness.graphql(
      `query($id: ID!) { itinerarySuggestion(id: $id) { id source days { date } } }`,
      { id: suggestion.id },
      user,
    );
    expect(again.data.itinerarySuggestion).toMatchObject({ id: suggestion.id, source: 'LLM' });
    // Someone else cannot read it.
    const { body: stranger } = await harness.graphql(
      `query($id: ID!) { itinerarySuggestion(id: $id) { id } }`,
      { id: suggestion.id },
      traveler(),
    );
    expect(stranger.data.itinerarySuggestion).toBeNull();
  });

  it('caches by inputs: the same request is answered without asking the LLM again', async () => {
    const user = traveler();
    const same = input();
    const { body: first } = await harness.graphql(plan, { input: same }, user);
    const { body: second } = await harness.graphql(
      plan,
      { input: { ...same, interests: [...same.interests].reverse() } },
      user,
    );
    expect(second.data.planItinerary.suggestion.id).toBe(first.data.planItinerary.suggestion.id);
    expect(harness.llm.requests).toHaveLength(1);
  });

  it.each([
    ['error', 'a 500'],
    ['rate-limited', 'a 429'],
    ['slow', 'a timeout'],
  ] as const)('falls back to the planner on %s (%s)', async (mode, _why) => {
    harness.llm.setMode(mode, { delayMs: 3_000 });
    const { body: result } = await harness.graphql(plan, { input: input() }, traveler());
    expect(result.errors).toBeUndefined();
    const suggestion = result.data.planItinerary.suggestion;
    expect(suggestion.source).toBe('PLANNER');
    expect(suggestion.model).toBeNull();
    expect(suggestion.days).toHaveLength(3);
    expect(suggestion.days[0].activities.some((activity: { kind: string }) => activity.kind === 'MEAL')).toBe(
      true,
    );
    // Transient failures are retried once by the upstream wrapper, then the planner answers.
    expect(harness.llm.requests).toHaveLength(2);
  });

  it.each(['malformed', 'refusal', 'wrong-shape'] as const)(
    'retries once on a %s answer and uses the LLM when the retry is good',
    async (mode) => {
      harness.llm.setMode(mode, { times: 1 });
      const { body: result } = await harness.graphql(plan, { input: input() }, traveler());
      expect(result.data.planItinerary.suggestion.source).toBe('LLM');
      expect(harness.llm.requests).toHaveLength(2);
    },
  );

  it('asks again when a schema-valid answer visits the same place twice, then uses the planner', async () => {
    harness.llm.setMode('repeated-place', { times: 1 });
    const { body: retried } = await harness.graphql(plan, { input: input() }, traveler());
    expect(retried.data.planItinerary.suggestion.source).toBe('LLM');
    expect(harness.llm.requests).toHaveLength(2);
    const titles = retried.data.planItinerary.suggestion.days.flatMap(
      (day: { activities: { kind: string; title: string }[] }) =>
        day.activities.filter((activity) => activity.kind === 'ACTIVITY').map((activity) => activity.title),
    );
    expect(new Set(titles).size).toBe(titles.length);

    harness.llm.reset();
    harness.llm.setMode('repeated-place');
    const { body: fallback } = await harness.graphql(plan, { input: input() }, traveler());
    expect(fallback.data.planItinerary.suggestion.source).toBe('PLANNER');
    expect(harness.llm.requests).toHaveLength(2);
  });

  it.each(['malformed', 'refusal'] as const)('uses the planner when the %s answer repeats', async (mode) => {
    harness.llm.setMode(mode);
    const { body: result } = await harness.graphql(plan, { input: input() }, traveler());
    expect(result.data.planItinerary.suggestion.source).toBe('PLANNER');
    expect(harness.llm.requests).toHaveLength(2);
  });

  it('returns userErrors for bad input and writes nothing', async () => {
    const { body: result } = await harness.graphql(
      plan,
      {
        input: input({
          destinationCode: 'P4R',
          startDate: '2027-05-05',
          endDate: '2027-05-01',
          travelers: 0,
        }),
      },
      traveler(),
    );
    expect(result.data.planItinerary.suggestion).toBeNull();
    const codes = result.data.planItinerary.userErrors.map((error: { code: string }) => error.code).sort();
    expect(codes).toEqual(['END_BEFORE_START', 'INVALID_DESTINATION', 'OUT_OF_RANGE']);
    const { body: unknown } = await harness.graphql(
      plan,
      { input: input({ destinationCode: 'ZZZ' }) },
      traveler(),
    );
    expect(unknown.data.planItinerary.userErrors[0]).toMatchObject({
      code: 'UNKNOWN_DESTINATION',
      field: ['input', 'destinationCode'],
    });
    expect(harness.llm.requests).toHaveLength(0);
  });

  it('refuses anonymous callers', async () => {
    const { body: result } = await harness.graphql(plan, { input: input() });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('limits generations per caller with RATE_LIMITED and retryAfter, not reads of the same plan', async () => {
    harness.llm.setMode('ok');
    const user = traveler();
    const same = input();
    // Asking again for a plan already made reads it: no generation, no point taken.
    for (let call = 0; call < 15; call++) {
      const { body: result } = await harness.graphql(plan, { input: same }, user);
      expect(result.errors).toBeUndefined();
    }
    expect(harness.llm.requests).toHaveLength(1);
    const codes: (string | undefined)[] = [];
    // Nine more distinct plans make ten generations; the eleventh is refused.
    for (let call = 0; call < 10; call++) {
      const { body: result } = await harness.graphql(plan, { input: input() }, user);
      codes.push(result.errors?.[0]?.extensions?.code);
      if (call === 9) {
        expect(result.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(0);
        expect(result.errors?.[0]?.extensions?.requestId).toBeTruthy();
      }
    }
    expect(codes.slice(0, 9).every((code) => code === undefined)).toBe(true);
    expect(codes[9]).toBe('RATE_LIMITED');
    // Over the limit, a plan already made still reads.
    expect((await harness.graphql(plan, { input: same }, user)).body.errors).toBeUndefined();
    const { body: other } = await harness.graphql(plan, { input: same }, traveler());
    expect(other.errors).toBeUndefined();
  });
});

describe('rate limits', () => {
  const partner = (id: string) => ({ apiKey: { id, owner: 'partner-test', scopes: ['ai:read'] } });
  /** Calls the subgraph as a partner's API key, as the gateway would sign it. */
  const asKey = async (query: string, variables: Record<string, unknown>, key: string) => {
    const response = await fetch(harness.service.url, {
      method: 'POST',
      headers: await signedHeaders('ai', undefined, undefined, partner(key)),
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: { extensions?: Record<string, any> }[] };
  };

  it('keys planItinerary by API key: one key over its limit leaves other keys alone', async () => {
    const key = `key-${randomUUID()}`;
    const codes: (string | undefined)[] = [];
    for (let call = 0; call < 11; call++)
      codes.push((await asKey(plan, { input: input() }, key)).errors?.[0]?.extensions?.code);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(undefined));
    expect(codes[10]).toBe('RATE_LIMITED');
    const other = await asKey(plan, { input: input() }, `key-${randomUUID()}`);
    expect(other.errors).toBeUndefined();
    expect(other.data.planItinerary.suggestion.source).toBe('LLM');
  });

  const tripReference = () => ({
    __typename: 'Trip',
    id: randomUUID(),
    destinationCode: 'LIS',
    startDate: '2027-07-05',
    endDate: '2027-07-05',
    pace: 'RELAXED',
    budget: 'BUDGET',
    travelers: 1,
  });

  it('lets a traveler read their trip suggestion 25 times a minute: reads cost no generation', async () => {
    const user = traveler();
    const representations = [tripReference()];
    const results = [];
    for (let call = 0; call < 25; call++)
      results.push((await harness.graphql(tripSuggestion, { representations }, user)).body);
    expect(results.map((result) => result.errors?.[0]?.extensions?.code)).toEqual(Array(25).fill(undefined));
    const ids = new Set(results.map((result) => result.data._entities[0].itinerarySuggestion.id));
    expect(ids.size).toBe(1);
    expect(harness.llm.requests).toHaveLength(1);
  });

  it('limits Trip.itinerarySuggestion generations (20 a minute) per user, with retryAfter', async () => {
    const user = traveler();
    const representations = [tripReference()];
    const results = [];
    // Distinct interests force a new suggestion each time.
    for (let call = 0; call < 21; call++)
      results.push(
        (
          await harness.graphql(
            tripSuggestion,
            { representations, preferences: { interests: [`generation-${call}`] } },
            user,
          )
        ).body,
      );
    expect(results.slice(0, 20).every((result) => result.errors === undefined)).toBe(true);
    const limited = results[20]!.errors?.[0];
    expect(limited?.extensions?.code).toBe('RATE_LIMITED');
    expect(limited?.extensions?.retryAfter).toBeGreaterThan(0);
    expect(limited?.extensions?.requestId).toBeTruthy();
    // Only the twenty generations reached the LLM; the refused one did not.
    expect(harness.llm.requests).toHaveLength(20);
    // One already generated still reads, over the limit.
    const { body: again } = await harness.graphql(
      tripSuggestion,
      { representations, preferences: { interests: ['generation-3'] } },
      user,
    );
    expect(again.errors).toBeUndefined();
    const { body: other } = await harness.graphql(tripSuggestion, { representations }, traveler());
    expect(other.errors).toBeUndefined();
  });
});

describe('Trip.itinerarySuggestion', () => {
  const representation = (overrides: Record<string, unknown> = {}) => ({
    __typename: 'Trip',
    id: randomUUID(),
    destinationCode: 'ROM',
    startDate: '2027-06-07',
    endDate: '2027-06-08',
    pace: 'PACKED',
    budget: 'BUDGET',
    travelers: 2,
    ...overrides,
  });

  it('plans from the trip fields the gateway supplies, with preference overrides', async () => {
    harness.llm.setMode('error');
    const { body: result } = await harness.graphql(
      tripSuggestion,
      { representations: [representation()], preferences: { pace: 'RELAXED', interests: ['history'] } },
      traveler(),
    );
    expect(result.errors).toBeUndefined();
    const suggestion = result.data._entities[0].itinerarySuggestion;
    expect(suggestion.source).toBe('PLANNER');
    expect(suggestion.days.map((day: { date: string }) => day.date)).toEqual(['2027-06-07', '2027-06-08']);
    for (const day of suggestion.days) {
      // RELAXED: 2-3 sights plus lunch and dinner.
      expect(day.activities.length).toBeGreaterThanOrEqual(4);
      expect(day.activities.length).toBeLessThanOrEqual(5);
    }
  });

  it('answers bad preferences with BAD_USER_INPUT', async () => {
    const { body: result } = await harness.graphql(
      tripSuggestion,
      {
        representations: [representation()],
        preferences: { interests: Array.from({ length: 11 }, (_, i) => `i${i}`) },
      },
      traveler(),
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('without an LLM key', () => {
  let plannerOnly: SubgraphForTest;
  beforeAll(async () => {
    plannerOnly = await startSubgraphForTest('ai_planner_only', { LLM_API_KEY: '' });
  });
  afterAll(async () => plannerOnly?.close());

  it('uses the built-in planner and never calls the LLM', async () => {
    const { body: result } = await plannerOnly.graphql(
      plan,
      { input: input({ destinationCode: 'tyo' }) },
      traveler(),
    );
    expect(result.data.planItinerary.suggestion).toMatchObject({ source: 'PLANNER', destinationCode: 'TYO' });
    expect(plannerOnly.llm.requests).toHaveLength(0);
  });
});

describe('when the LLM keeps failing', () => {
  let failing: SubgraphForTest;
  beforeAll(async () => {
    failing = await startSubgraphForTest('ai_breaker', { LLM_BREAKER_MIN_CALLS: '2', LLM_MAX_ATTEMPTS: '1' });
  });
  afterAll(async () => failing?.close());

  it('opens the breaker: later suggestions come from the planner without calling the LLM', async () => {
    failing.llm.setMode('error');
    for (let call = 0; call < 3; call++) {
      const { body: result } = await failing.graphql(plan, { input: input() }, traveler());
      expect(result.data.planItinerary.suggestion.source).toBe('PLANNER');
    }
    const callsBefore = failing.llm.requests.length;
    const { body: result } = await failing.graphql(plan, { input: input() }, traveler());
    expect(result.data.planItinerary.suggestion.source).toBe('PLANNER');
    expect(failing.llm.requests.length).toBe(callsBefore);
    const ready = await fetch(failing.service.url.replace('/graphql', '/health/ready'));
    const report = (await ready.json()) as { checks: Record<string, { status: string }> };
    expect(report.checks['upstream:llm']?.status).toBe('degraded');
  });
});

describe('the LLM deadline', () => {
  // Each attempt times out after 1 s and the wrapper may try 3 times; the deadline (unset, so
  // LLM_TIMEOUT_MS) still lets the LLM have 1 s in all for one suggestion or reply.
  let strict: SubgraphForTest;
  beforeAll(async () => {
    strict = await startSubgraphForTest('ai_deadline', {
      LLM_MAX_ATTEMPTS: '3',
      LLM_BREAKER_MIN_CALLS: '1000',
    });
  });
  afterAll(async () => strict?.close());
  beforeEach(() => strict.llm.reset());

  it('answers from the planner once the deadline passes, without retrying a hanging LLM', async () => {
    strict.llm.setMode('slow', { delayMs: 10_000 });
    const { body: result } = await strict.graphql(plan, { input: input() }, traveler());
    expect(result.errors).toBeUndefined();
    expect(result.data.planItinerary.suggestion).toMatchObject({ source: 'PLANNER', model: null });
    expect(strict.llm.requests).toHaveLength(1);
  });

  it('counts the second ask after an invalid answer against the same deadline', async () => {
    // A malformed answer, then every later request hangs.
    strict.llm.setMode('malformed', { times: 1, then: 'slow', delayMs: 10_000 });
    const { body: result } = await strict.graphql(plan, { input: input() }, traveler());
    expect(result.data.planItinerary.suggestion.source).toBe('PLANNER');
    // The malformed answer and one hanging ask; the wrapper's retries would have made four.
    expect(strict.llm.requests).toHaveLength(2);
  });

  it('stores the polite fallback when the assistant cannot answer in time', async () => {
    const user = { id: `traveler-${randomUUID()}`, name: 'Sam' };
    const { body: started } = await strict.graphql(
      `mutation($expertId: ID!) { startConversation(expertId: $expertId) { conversation { id } } }`,
      { expertId: seedExperts[0]!.id },
      user,
    );
    strict.llm.setMode('slow', { delayMs: 10_000 });
    const { body: sent } = await strict.graphql(
      `mutation($id: ID!) { sendMessage(conversationId: $id, body: "Still there?") { reply { author body } } }`,
      { id: started.data.startConversation.conversation.id },
      user,
    );
    expect(sent.data.sendMessage.reply).toEqual({ author: 'ASSISTANT', body: ASSISTANT_FALLBACK });
    expect(strict.llm.requests).toHaveLength(1);
  });
});

describe('the LLM bulkhead', () => {
  let narrow: SubgraphForTest;
  beforeAll(async () => {
    narrow = await startSubgraphForTest('ai_bulkhead', {
      LLM_MAX_CONCURRENT: '1',
      LLM_MAX_QUEUE: '0',
      LLM_TIMEOUT_MS: '10000',
    });
  });
  afterAll(async () => narrow?.close());

  it('caps concurrent LLM calls: a request over the cap gets the planner instead of waiting', async () => {
    narrow.llm.setMode('slow', { delayMs: 3_000 });
    const firstCall = narrow.graphql(plan, { input: input() }, traveler());
    // The second request starts once the first one holds the only LLM slot.
    while (narrow.llm.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const { body: second } = await narrow.graphql(plan, { input: input() }, traveler());
    const { body: first } = await firstCall;
    expect(first.data.planItinerary.suggestion.source).toBe('LLM');
    expect(second.data.planItinerary.suggestion.source).toBe('PLANNER');
    expect(narrow.llm.requests).toHaveLength(1);
  });
});

it('the itinerary zod schema rejects extra fields', () => {
  expect(llmItinerarySchema.safeParse({ days: [], extra: 1 }).success).toBe(false);
});
