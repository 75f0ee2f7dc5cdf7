import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { encodeCursor } from '@traveloure/platform';
import { startSubgraphForTest, tripCreated, type SubgraphForTest } from '../test-support.ts';
import { seedExperts } from '../db/seed/experts.ts';
import { ASSISTANT_FALLBACK, ASSISTANT_NAME } from './chat.service.ts';

const start = /* GraphQL */ `
  mutation ($expertId: ID!, $tripId: ID) {
    startConversation(expertId: $expertId, tripId: $tripId) {
      conversation {
        id
        expert {
          id
          name
        }
        trip {
          id
        }
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`;
const send = /* GraphQL */ `
  mutation ($id: ID!, $body: String!) {
    sendMessage(conversationId: $id, body: $body) {
      message {
        id
        author
        authorName
        body
      }
      reply {
        id
        author
        authorName
        body
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`;
const reply = /* GraphQL */ `
  mutation ($id: ID!, $body: String!) {
    replyAsExpert(conversationId: $id, body: $body) {
      message {
        author
        authorName
        body
      }
      userErrors {
        code
      }
    }
  }
`;
const read = /* GraphQL */ `
  query ($id: ID!) {
    conversation(id: $id) {
      id
      messages(first: 10) {
        totalCount
        edges {
          node {
            author
            body
          }
        }
        pageInfo {
          hasNextPage
        }
      }
    }
  }
`;

const camille = seedExperts[0]!;
const camilleUser = { id: camille.user_id!, roles: ['EXPERT' as const], name: camille.name };
let harness: SubgraphForTest;
let db: pg.Client;

beforeAll(async () => {
  harness = await startSubgraphForTest('ai_chat');
  db = new pg.Client({ connectionString: harness.database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await harness?.close();
});
beforeEach(() => harness.llm.reset());

const traveler = () => ({ id: `traveler-${randomUUID()}`, name: 'Robin Traveler' });

/** A trip of `userId`'s, created through the stand-in trip outbox and projected by ai. */
async function projectedTrip(userId: string, overrides: Parameters<typeof tripCreated>[2] = {}) {
  const tripId = randomUUID();
  await harness.applied(await harness.emitTrip('trip.created', tripCreated(tripId, userId, overrides)));
  return tripId;
}

async function conversationWith(user: { id: string; name: string }, tripId: string | null = null) {
  const { body: result } = await harness.graphql(start, { expertId: camille.id, tripId }, user);
  expect(result.data.startConversation.userErrors).toEqual([]);
  return result.data.startConversation.conversation.id as string;
}

describe('experts', () => {
  it('filters by destination and specialty, best rated first', async () => {
    const { body: result } = await harness.graphql(
      `{ experts(destinationCode: "par", specialty: "food") { name destinations specialties rating } }`,
      {},
      traveler(),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.experts.length).toBeGreaterThan(0);
    for (const expert of result.data.experts) {
      expect(expert.destinations).toContain('PAR');
      expect(expert.specialties).toContain('food');
    }
    const ratings = result.data.experts.map((expert: { rating: number }) => expert.rating);
    expect(ratings).toEqual([...ratings].sort((a, b) => b - a));
  });

  it('resolves Expert references', async () => {
    const { body: result } = await harness.graphql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Expert { id name } } }`,
      {
        r: [
          { __typename: 'Expert', id: camille.id },
          { __typename: 'Expert', id: randomUUID() },
        ],
      },
    );
    expect(result.data._entities).toEqual([{ id: camille.id, name: camille.name }, null]);
  });
});

describe('conversations', () => {
  it('stores the sanitized message, lets the assistant answer via the LLM, and emits events', async () => {
    const user = traveler();
    const id = await conversationWith(user, await projectedTrip(user.id));
    const { body: result } = await harness.graphql(
      send,
      { id, body: '<b>Which museum</b> first?<script>alert(1)</script>' },
      user,
    );
    const payload = result.data.sendMessage;
    expect(payload.userErrors).toEqual([]);
    expect(payload.message).toMatchObject({
      author: 'TRAVELER',
      authorName: 'Robin Traveler',
      body: 'Which museum first?',
    });
    expect(payload.reply).toMatchObject({ author: 'ASSISTANT', authorName: ASSISTANT_NAME });
    expect(payload.reply.body).toContain('Which museum first?');
    // The assistant was given the expert and the conversation.
    const asked = harness.llm.requests.at(-1)!;
    expect(asked.messages[0]!.content).toContain(camille.name);
    expect(asked.messages.at(-1)).toEqual({ role: 'user', content: 'Which museum first?' });

    const { rows } = await db.query(
      `select event_type, aggregate_id, payload from ai.outbox where aggregate_id = $1 order by created_at`,
      [id],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0].event_type).toBe('conversation.message_created');
    expect(rows[0].payload).toMatchObject({
      conversationId: id,
      messageId: payload.message.id,
      recipientUserIds: [camille.user_id],
      authorKind: 'TRAVELER',
      preview: 'Which museum first?',
    });
    expect(rows[1].payload).toMatchObject({
      messageId: payload.reply.id,
      recipientUserIds: [user.id],
      authorKind: 'ASSISTANT',
    });
  });

  it('answers politely when the LLM is down', async () => {
    harness.llm.setMode('error');
    const user = traveler();
    const id = await conversationWith(user);
    const { body: result } = await harness.graphql(send, { id, body: 'Anyone there?' }, user);
    expect(result.data.sendMessage.reply).toMatchObject({ author: 'ASSISTANT', body: ASSISTANT_FALLBACK });
  });

  it('rejects empty and oversized bodies without writing anything', async () => {
    const user = traveler();
    const id = await conversationWith(user);
    const { body: empty } = await harness.graphql(send, { id, body: '<p>  </p>' }, user);
    expect(empty.data.sendMessage).toMatchObject({
      message: null,
      userErrors: [{ field: ['body'], code: 'EMPTY' }],
    });
    const { body: long } = await harness.graphql(send, { id, body: 'x'.repeat(4001) }, user);
    expect(long.data.sendMessage.userErrors[0].code).toBe('TOO_LONG');
    const { body: exact } = await harness.graphql(send, { id, body: 'y'.repeat(4000) }, user);
    expect(exact.data.sendMessage.userErrors).toEqual([]);
    const { rows } = await db.query(
      `select count(*)::int as n from ai.messages where conversation_id = $1 and author_kind = 'TRAVELER'`,
      [id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('lets the expert answer; the assistant then stays quiet while the expert is active', async () => {
    const user = traveler();
    const id = await conversationWith(user);
    const { body: answer } = await harness.graphql(
      reply,
      { id, body: 'Start with the <i>Louvre</i> at 9.' },
      camilleUser,
    );
    expect(answer.data.replyAsExpert.message).toMatchObject({
      author: 'EXPERT',
      authorName: camille.name,
      body: 'Start with the Louvre at 9.',
    });
    const { body: followUp } = await harness.graphql(send, { id, body: 'Thanks!' }, user);
    expect(followUp.data.sendMessage.reply).toBeNull();
    const { body: conversation } = await harness.graphql(read, { id }, user);
    expect(conversation.data.conversation.messages.totalCount).toBe(2);
    expect(
      conversation.data.conversation.messages.edges.map(
        (edge: { node: { author: string } }) => edge.node.author,
      ),
    ).toEqual(['EXPERT', 'TRAVELER']);
    // The expert sees it among their conversations.
    const { body: mine } = await harness.graphql(
      `{ myConversations(first: 100) { totalCount edges { node { id } } } }`,
      {},
      camilleUser,
    );
    expect(mine.data.myConversations.edges.map((edge: { node: { id: string } }) => edge.node.id)).toContain(
      id,
    );
  });

  it('a stranger cannot read or write a conversation, nor answer as its expert', async () => {
    const user = traveler();
    const id = await conversationWith(user);
    const stranger = traveler();
    const { body: readAttempt } = await harness.graphql(read, { id }, stranger);
    expect(readAttempt.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(readAttempt.data?.conversation ?? null).toBeNull();
    const { body: writeAttempt } = await harness.graphql(send, { id, body: 'hi' }, stranger);
    expect(writeAttempt.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const otherExpert = { id: seedExperts[1]!.user_id!, roles: ['EXPERT' as const] };
    const { body: replyAttempt } = await harness.graphql(reply, { id, body: 'hi' }, otherExpert);
    expect(replyAttempt.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const { body: notExpert } = await harness.graphql(reply, { id, body: 'hi' }, { id: camille.user_id! });
    expect(notExpert.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const { body: anonymous } = await harness.graphql(read, { id });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('pages myConversations by most recent activity', async () => {
    const user = traveler();
    const ids = [await conversationWith(user), await conversationWith(user), await conversationWith(user)];
    await harness.graphql(send, { id: ids[0], body: 'latest' }, user);
    const { body: first } = await harness.graphql(
      `{ myConversations(first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
      {},
      user,
    );
    const page = first.data.myConversations;
    expect(page.totalCount).toBe(3);
    expect(page.edges[0].node.id).toBe(ids[0]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const { body: second } = await harness.graphql(
      `query($after: String) { myConversations(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage } } }`,
      { after: page.pageInfo.endCursor },
      user,
    );
    expect(second.data.myConversations.edges).toHaveLength(1);
    expect(second.data.myConversations.pageInfo.hasNextPage).toBe(false);
  });

  it('reports an unknown expert as a userError', async () => {
    const { body: result } = await harness.graphql(start, { expertId: randomUUID() }, traveler());
    expect(result.data.startConversation.userErrors[0]).toMatchObject({
      field: ['expertId'],
      code: 'NOT_FOUND',
    });
  });
});

describe('the trip of a conversation', () => {
  const noSuchTrip = [{ field: ['tripId'], code: 'NOT_FOUND', message: 'No such trip.' }];

  it("accepts the caller's own trip", async () => {
    const user = traveler();
    const tripId = await projectedTrip(user.id);
    const { body: result } = await harness.graphql(start, { expertId: camille.id, tripId }, user);
    expect(result.errors).toBeUndefined();
    expect(result.data.startConversation).toMatchObject({
      conversation: { trip: { id: tripId } },
      userErrors: [],
    });
  });

  it("refuses another traveler's trip, an unknown id, garbage and a deleted trip alike, writing nothing", async () => {
    const user = traveler();
    const othersTrip = await projectedTrip(traveler().id);
    const deletedTrip = await projectedTrip(user.id);
    await harness.applied(await harness.emitTrip('trip.deleted', { tripId: deletedTrip, userId: user.id }));
    // A later update must not bring the deleted trip back.
    await harness.applied(await harness.emitTrip('trip.updated', tripCreated(deletedTrip, user.id)));
    const refused = [
      othersTrip,
      randomUUID(),
      deletedTrip,
      'trip-123',
      "1'; drop table ai.conversations; --",
      `${randomUUID()}x`,
      'x'.repeat(5_000),
    ];
    for (const tripId of refused) {
      const { body: result } = await harness.graphql(start, { expertId: camille.id, tripId }, user);
      expect(result.errors, tripId).toBeUndefined();
      expect(result.data.startConversation, tripId).toEqual({ conversation: null, userErrors: noSuchTrip });
    }
    const { rows } = await db.query(
      'select count(*)::int as n from ai.conversations where traveler_user_id = $1',
      [user.id],
    );
    expect(rows[0].n).toBe(0);
  });

  it('refuses an admin naming a trip that is not theirs', async () => {
    const tripId = await projectedTrip(traveler().id);
    const admin = { id: `admin-${randomUUID()}`, roles: ['ADMIN' as const], name: 'Ada Admin' };
    const { body: result } = await harness.graphql(start, { expertId: camille.id, tripId }, admin);
    expect(result.data.startConversation).toEqual({ conversation: null, userErrors: noSuchTrip });
  });

  it('tells the assistant about the trip when no suggestion was stored for it', async () => {
    const user = traveler();
    const tripId = await projectedTrip(user.id, {
      title: 'Tokyo food week',
      destinationCode: 'TYO',
      startDate: '2027-10-02',
      endDate: '2027-10-09',
      travelers: 3,
      budget: 'LUXURY',
      pace: 'PACKED',
    });
    const id = await conversationWith(user, tripId);
    const { body: result } = await harness.graphql(send, { id, body: 'Where should we eat?' }, user);
    expect(result.data.sendMessage.reply).toMatchObject({ author: 'ASSISTANT' });
    const system = harness.llm.requests.at(-1)!.messages[0]!.content as string;
    const shared = JSON.parse(system.slice(system.indexOf("The traveler's trip: ") + 21));
    expect(shared).toEqual({
      title: 'Tokyo food week',
      destinationCode: 'TYO',
      startDate: '2027-10-02',
      endDate: '2027-10-09',
      travelers: 3,
      budget: 'LUXURY',
      pace: 'PACKED',
    });

    // Once the trip is deleted the assistant no longer speaks of it.
    await harness.applied(await harness.emitTrip('trip.deleted', { tripId, userId: user.id }));
    await harness.graphql(send, { id, body: 'Still there?' }, user);
    expect(harness.llm.requests.at(-1)!.messages[0]!.content).toContain('has not shared trip details');
  });
});

describe('forged cursors', () => {
  const forged = [
    encodeCursor(['2026-01-01T00:00:00.000Z', 'not-a-uuid']),
    encodeCursor(['yesterday', randomUUID()]),
    encodeCursor(['2026-02-30T00:00:00.000Z', randomUUID()]),
    encodeCursor([42, randomUUID()]),
    // A well-formed instant PostgreSQL has no day for (there is no year 0).
    encodeCursor(['0000-01-01T00:00:00.000000Z', randomUUID()]),
    'not a cursor',
  ];

  it('myConversations answers BAD_USER_INPUT on "after"', async () => {
    const user = traveler();
    await conversationWith(user);
    for (const after of forged) {
      const { body: result } = await harness.graphql(
        `query($after: String) { myConversations(first: 5, after: $after) { edges { node { id } } } }`,
        { after },
        user,
      );
      expect(result.errors?.[0]?.extensions, after).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: ['after'],
      });
    }
  });

  it('Conversation.messages answers BAD_USER_INPUT on "after"', async () => {
    const user = traveler();
    const id = await conversationWith(user);
    for (const after of forged) {
      const { body: result } = await harness.graphql(
        `query($id: ID!, $after: String) { conversation(id: $id) { messages(first: 5, after: $after) { edges { node { id } } } } }`,
        { id, after },
        user,
      );
      expect(result.errors?.[0]?.extensions, after).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: ['after'],
      });
    }
  });

  it('pages messages one at a time without repeating or skipping any', async () => {
    const user = traveler();
    const id = await conversationWith(user);
    harness.llm.setMode('error');
    for (const body of ['one', 'two', 'three']) await harness.graphql(send, { id, body }, user);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: any = (
        await harness.graphql(
          `query($id: ID!, $after: String) { conversation(id: $id) { messages(first: 1, after: $after) {
          edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
          { id, after },
          user,
        )
      ).body;
      const connection = result.data.conversation.messages;
      seen.push(...connection.edges.map((edge: { node: { id: string } }) => edge.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    const { rows } = await db.query(
      'select id from ai.messages where conversation_id = $1 order by created_at, id',
      [id],
    );
    expect(seen).toEqual(rows.map((row: { id: string }) => row.id));
  });
});
