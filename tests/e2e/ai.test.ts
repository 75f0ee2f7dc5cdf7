/**
 * AI end to end: a client asks the gateway for a saved trip's itinerary suggestion; the gateway
 * fetches the trip's destination, dates, pace, budget and travelers from the trip subgraph and
 * hands them to the ai subgraph (@requires), which asks the LLM emulator or falls back to the
 * built-in planner. Chat with an expert runs through the same gateway.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAiEmulator, type OpenAiEmulator } from '@traveloure/testing';
import { seedExperts } from '../../subgraphs/ai/src/db/seed/experts.ts';
import { startTestSupergraph, type TestSupergraph } from './support.ts';

const TRIP_SUGGESTION = `query ($id: ID!, $preferences: ItineraryPreferencesInput) {
  trip(id: $id) {
    title
    itinerarySuggestion(preferences: $preferences) { id source days { date activities { title startTime } } }
  }
}`;

let llm: OpenAiEmulator;
let graph: TestSupergraph;
let traveler: string;
let tripId: string;

beforeAll(async () => {
  llm = await startOpenAiEmulator({ apiKey: 'e2e-llm-key' });
  graph = await startTestSupergraph('ai', {
    services: ['trip', 'ai'],
    env: {
      TRIP_POPULARITY_REFRESH_MS: '0',
      LLM_BASE_URL: llm.url,
      LLM_API_KEY: 'e2e-llm-key',
      LLM_MODEL: 'emulated-model',
      LLM_TIMEOUT_MS: '1000',
      LLM_BREAKER_MIN_CALLS: '1000',
      // Five 1 s attempts would outlast the gateway's 4 s; the ai deadline (one LLM_TIMEOUT_MS in
      // all) must answer from the planner well before it gives up on the subgraph.
      LLM_MAX_ATTEMPTS: '5',
      SUBGRAPH_TIMEOUT_MS: '4000',
    },
  });
  traveler = await graph.token('TRAVELER', 'e2e-ai-traveler', { region: 'EU_WEST', name: 'Noor' });
  tripId = await graph.createTrip(traveler, {
    title: 'Rome long weekend',
    destinationCode: 'ROM',
    startDate: '2027-04-09',
    endDate: '2027-04-11',
    travelers: 2,
    budget: 'MIDRANGE',
    pace: 'MODERATE',
  });
});

beforeEach(() => llm.reset());

afterAll(async () => {
  await graph?.close();
  await llm?.close();
});

describe('itinerary suggestions through the gateway', () => {
  it('trip(id) { title itinerarySuggestion } plans from the trip’s own fields via the LLM, then caches', async () => {
    const first = await graph.graphql(TRIP_SUGGESTION, { id: tripId }, { token: traveler });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.trip.title).toBe('Rome long weekend');
    const suggestion = first.body.data.trip.itinerarySuggestion;
    expect(suggestion.source).toBe('LLM');
    expect(suggestion.days.map((day: { date: string }) => day.date)).toEqual([
      '2027-04-09',
      '2027-04-10',
      '2027-04-11',
    ]);
    // The LLM got the trip's fields from the trip subgraph.
    const asked = JSON.parse(llm.requests[0]!.messages.at(-1)!.content) as { trip: Record<string, unknown> };
    expect(asked.trip).toMatchObject({
      destinationCode: 'ROM',
      travelers: 2,
      pace: 'MODERATE',
      budget: 'MIDRANGE',
    });

    const again = await graph.graphql(TRIP_SUGGESTION, { id: tripId }, { token: traveler });
    expect(again.body.data.trip.itinerarySuggestion.id).toBe(suggestion.id);
    expect(llm.requests).toHaveLength(1);
  });

  it('falls back to the planner when the LLM fails', async () => {
    llm.setMode('error');
    const result = await graph.graphql(
      TRIP_SUGGESTION,
      { id: tripId, preferences: { pace: 'PACKED', interests: ['history'] } },
      { token: traveler },
    );
    expect(result.body.errors).toBeUndefined();
    const suggestion = result.body.data.trip.itinerarySuggestion;
    expect(suggestion.source).toBe('PLANNER');
    expect(suggestion.days).toHaveLength(3);
    for (const day of suggestion.days) {
      expect(day.activities.length).toBeGreaterThanOrEqual(2);
      const times = day.activities.map((activity: { startTime: string }) => activity.startTime);
      expect(times).toEqual([...times].sort());
    }
  });

  it('a hanging LLM: the planner answers before the gateway gives up on the ai subgraph', async () => {
    llm.setMode('slow', { delayMs: 10_000 });
    const result = await graph.graphql(
      TRIP_SUGGESTION,
      { id: tripId, preferences: { interests: ['food'] } },
      { token: traveler },
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.trip.itinerarySuggestion.source).toBe('PLANNER');
    expect(result.body.data.trip.itinerarySuggestion.days).toHaveLength(3);
    expect(llm.requests).toHaveLength(1);
  });

  it('another traveler cannot get a suggestion for a trip they cannot see', async () => {
    const stranger = await graph.token('TRAVELER', 'e2e-ai-stranger');
    const result = await graph.graphql(TRIP_SUGGESTION, { id: tripId }, { token: stranger });
    expect(result.body.data?.trip ?? null).toBeNull();
    expect(llm.requests).toHaveLength(0);
  });

  it('planItinerary is rate-limited per user with RATE_LIMITED and retryAfter', async () => {
    const user = await graph.token('TRAVELER', 'e2e-ai-planner');
    const PLAN = `mutation ($input: PlanItineraryInput!) { planItinerary(input: $input) { suggestion { source } userErrors { code } } }`;
    const input = {
      destinationCode: 'PAR',
      startDate: '2027-05-01',
      endDate: '2027-05-01',
      travelers: 1,
      budget: 'BUDGET',
      pace: 'RELAXED',
    };
    let limited;
    // Distinct interests make every call a new generation: reading a stored plan again costs nothing.
    for (let call = 0; call < 11; call++) {
      const result = await graph.graphql(
        PLAN,
        { input: { ...input, interests: [`interest-${call}`] } },
        { token: user },
      );
      if (call < 10) expect(result.body.errors).toBeUndefined();
      else limited = result.body.errors?.[0];
    }
    expect(limited?.extensions?.code).toBe('RATE_LIMITED');
    expect(limited?.extensions?.retryAfter).toBeGreaterThan(0);
  });
});

const START = `mutation ($expertId: ID!, $tripId: ID) { startConversation(expertId: $expertId, tripId: $tripId) {
  conversation { id expert { name } trip { title } } userErrors { field code message } } }`;

/**
 * startConversation about a trip, once the trip's event reached the ai subgraph's projection
 * (it trails the trip subgraph by a relay pass); a refusal writes nothing, so asking again is safe.
 */
async function startAbout(expertId: string, trip: string, token: string, until: 'accepted' | 'refused') {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const result = await graph.graphql(START, { expertId, tripId: trip }, { token });
    const accepted = Boolean(result.body.data?.startConversation?.conversation);
    if (accepted === (until === 'accepted') || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('expert chat through the gateway', () => {
  it('starts a conversation about the trip, gets an assistant reply, and keeps strangers out', async () => {
    const expert = seedExperts.find((candidate) => candidate.destinations.includes('ROM'))!;
    const started = await startAbout(expert.id, tripId, traveler, 'accepted');
    expect(started.body.errors).toBeUndefined();
    const conversation = started.body.data.startConversation.conversation;
    expect(conversation.expert.name).toBe(expert.name);
    expect(conversation.trip.title).toBe('Rome long weekend');

    const sent = await graph.graphql(
      `mutation ($id: ID!) { sendMessage(conversationId: $id, body: "Is the <b>Colosseum</b> open on Sunday?") { message { body } reply { author body } } }`,
      { id: conversation.id },
      { token: traveler },
    );
    expect(sent.body.data.sendMessage.message.body).toBe('Is the Colosseum open on Sunday?');
    expect(sent.body.data.sendMessage.reply.author).toBe('ASSISTANT');
    // The assistant had the trip as context: the suggestion made above for this trip.
    expect(llm.requests.at(-1)!.messages[0]!.content).toContain('"destinationCode":"ROM"');

    const stranger = await graph.token('TRAVELER', 'e2e-ai-stranger');
    const peek = await graph.graphql(
      `query ($id: ID!) { conversation(id: $id) { id } }`,
      { id: conversation.id },
      { token: stranger },
    );
    expect(peek.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('a trip created through the trip subgraph reaches ai: only its owner can name it, and the assistant knows it', async () => {
    const expert = seedExperts[0]!;
    const owner = await graph.token('TRAVELER', 'e2e-ai-owner', { name: 'Olga' });
    const lisbon = await graph.createTrip(owner, {
      title: 'Lisbon with the kids',
      destinationCode: 'LIS',
      startDate: '2027-06-01',
      endDate: '2027-06-05',
      travelers: 4,
      budget: 'BUDGET',
      pace: 'RELAXED',
    });
    const started = await startAbout(expert.id, lisbon, owner, 'accepted');
    expect(started.body.data.startConversation.userErrors).toEqual([]);
    expect(started.body.data.startConversation.conversation.trip.title).toBe('Lisbon with the kids');

    // No suggestion was ever made for this trip: the assistant's context is the projected trip.
    const sent = await graph.graphql(
      `mutation ($id: ID!) { sendMessage(conversationId: $id, body: "Rainy day ideas?") { reply { author } } }`,
      { id: started.body.data.startConversation.conversation.id },
      { token: owner },
    );
    expect(sent.body.data.sendMessage.reply.author).toBe('ASSISTANT');
    const system = llm.requests.at(-1)!.messages[0]!.content as string;
    expect(system).toContain(
      '{"title":"Lisbon with the kids","destinationCode":"LIS","startDate":"2027-06-01","endDate":"2027-06-05","travelers":4,"budget":"BUDGET","pace":"RELAXED"}',
    );

    // Someone else's trip, an unknown id, garbage and (below) a deleted trip read alike.
    const notFound = {
      conversation: null,
      userErrors: [{ field: ['tripId'], code: 'NOT_FOUND', message: 'No such trip.' }],
    };
    for (const [token, candidate] of [
      [traveler, lisbon],
      [owner, tripId],
      [owner, '00000000-0000-4000-8000-000000000000'],
      [owner, 'not-a-trip'],
    ] as const) {
      const refused = await graph.graphql(START, { expertId: expert.id, tripId: candidate }, { token });
      expect(refused.body.errors, candidate).toBeUndefined();
      expect(refused.body.data.startConversation, candidate).toEqual(notFound);
    }
    const deleted = await graph.graphql(
      `mutation ($id: ID!) { deleteTrip(id: $id) { userErrors { code } } }`,
      { id: lisbon },
      { token: owner },
    );
    expect(deleted.body.errors).toBeUndefined();
    const afterDelete = await startAbout(expert.id, lisbon, owner, 'refused');
    expect(afterDelete.body.data.startConversation).toEqual(notFound);
  });
});
