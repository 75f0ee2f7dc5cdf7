import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startAiHarness, type AiHarness } from '../test-support.ts';
import { seedExperts } from '../db/seed/experts.ts';
import { ASSISTANT_FALLBACK, ASSISTANT_NAME } from './chat.ts';

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
let harness: AiHarness;
let db: pg.Client;

beforeAll(async () => {
  harness = await startAiHarness('ai_chat');
  db = new pg.Client({ connectionString: harness.database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await harness?.close();
});
beforeEach(() => harness.llm.reset());

const traveler = () => ({ id: `traveler-${randomUUID()}`, name: 'Robin Traveler' });

async function conversationWith(user: { id: string; name: string }, tripId: string | null = null) {
  const result = await harness.graphql(start, { expertId: camille.id, tripId }, user);
  expect(result.data.startConversation.userErrors).toEqual([]);
  return result.data.startConversation.conversation.id as string;
}

describe('experts', () => {
  it('filters by destination and specialty, best rated first', async () => {
    const result = await harness.graphql(
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
    const result = await harness.graphql(
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
    const id = await conversationWith(user, 'trip-123');
    const result = await harness.graphql(
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
    const result = await harness.graphql(send, { id, body: 'Anyone there?' }, user);
    expect(result.data.sendMessage.reply).toMatchObject({ author: 'ASSISTANT', body: ASSISTANT_FALLBACK });
  });

  it('rejects empty and oversized bodies without writing anything', async () => {
    const user = traveler();
    const id = await conversationWith(user);
    const empty = await harness.graphql(send, { id, body: '<p>  </p>' }, user);
    expect(empty.data.sendMessage).toMatchObject({
      message: null,
      userErrors: [{ field: ['body'], code: 'EMPTY' }],
    });
    const long = await harness.graphql(send, { id, body: 'x'.repeat(4001) }, user);
    expect(long.data.sendMessage.userErrors[0].code).toBe('TOO_LONG');
    const exact = await harness.graphql(send, { id, body: 'y'.repeat(4000) }, user);
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
    const answer = await harness.graphql(
      reply,
      { id, body: 'Start with the <i>Louvre</i> at 9.' },
      camilleUser,
    );
    expect(answer.data.replyAsExpert.message).toMatchObject({
      author: 'EXPERT',
      authorName: camille.name,
      body: 'Start with the Louvre at 9.',
    });
    const followUp = await harness.graphql(send, { id, body: 'Thanks!' }, user);
    expect(followUp.data.sendMessage.reply).toBeNull();
    const conversation = await harness.graphql(read, { id }, user);
    expect(conversation.data.conversation.messages.totalCount).toBe(2);
    expect(
      conversation.data.conversation.messages.edges.map(
        (edge: { node: { author: string } }) => edge.node.author,
      ),
    ).toEqual(['EXPERT', 'TRAVELER']);
    // The expert sees it among their conversations.
    const mine = await harness.graphql(
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
    const readAttempt = await harness.graphql(read, { id }, stranger);
    expect(readAttempt.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(readAttempt.data?.conversation ?? null).toBeNull();
    const writeAttempt = await harness.graphql(send, { id, body: 'hi' }, stranger);
    expect(writeAttempt.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const otherExpert = { id: seedExperts[1]!.user_id!, roles: ['EXPERT' as const] };
    const replyAttempt = await harness.graphql(reply, { id, body: 'hi' }, otherExpert);
    expect(replyAttempt.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const notExpert = await harness.graphql(reply, { id, body: 'hi' }, { id: camille.user_id! });
    expect(notExpert.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await harness.graphql(read, { id });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('pages myConversations by most recent activity', async () => {
    const user = traveler();
    const ids = [await conversationWith(user), await conversationWith(user), await conversationWith(user)];
    await harness.graphql(send, { id: ids[0], body: 'latest' }, user);
    const first = await harness.graphql(
      `{ myConversations(first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
      {},
      user,
    );
    const page = first.data.myConversations;
    expect(page.totalCount).toBe(3);
    expect(page.edges[0].node.id).toBe(ids[0]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await harness.graphql(
      `query($after: String) { myConversations(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage } } }`,
      { after: page.pageInfo.endCursor },
      user,
    );
    expect(second.data.myConversations.edges).toHaveLength(1);
    expect(second.data.myConversations.pageInfo.hasNextPage).toBe(false);
  });

  it('reports an unknown expert as a userError', async () => {
    const result = await harness.graphql(start, { expertId: randomUUID() }, traveler());
    expect(result.data.startConversation.userErrors[0]).toMatchObject({
      field: ['expertId'],
      code: 'NOT_FOUND',
    });
  });
});
