/**
 * Chat messages reach the notification subgraph: the ai subgraph writes
 * `conversation.message_created` to its outbox with each message, the relay publishes it, and the
 * notification subgraph puts an EXPERT_MESSAGE in each recipient's inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedExperts } from '../../subgraphs/ai/src/db/seed/experts.ts';
import { startTestSupergraph, type TestSupergraph } from './support.ts';

interface InboxEntry {
  kind: string;
  title: string;
  body: string;
}

const INBOX = `{ me { notifications(first: 20) { edges { node { kind title body } } } } }`;

describe('expert chat notifications through the gateway', () => {
  let graph: TestSupergraph;
  let traveler: string;
  let expertToken: string;
  const expert = seedExperts[0]!;

  beforeAll(async () => {
    graph = await startTestSupergraph('ai_notifications', {
      services: ['trip', 'ai', 'notification'],
      // No LLM key: the assistant's polite fallback answers, which is a message like any other.
      env: { OUTBOX_POLL_MS: '50', QUEUE_BACKOFF_MS: '50', TRIP_POPULARITY_REFRESH_MS: '0' },
    });
    traveler = await graph.token('TRAVELER', 'e2e-chat-traveler', {
      name: 'Tess',
      email: 'tess@example.test',
    });
    expertToken = await graph.token('EXPERT', expert.user_id!, {
      name: expert.name,
      email: 'camille@example.test',
    });
    // Signing in once makes each a known user everywhere (trip provisions, notification projects).
    for (const token of [traveler, expertToken]) {
      expect((await graph.graphql(`{ me { id } }`, {}, { token })).body.errors).toBeUndefined();
    }
  });
  afterAll(async () => {
    await graph?.close();
  });

  const waitForInbox = async (token: string, check: (entries: InboxEntry[]) => boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const result = await graph.graphql(INBOX, {}, { token });
      const entries: InboxEntry[] =
        result.body.data?.me?.notifications.edges.map((edge: { node: InboxEntry }) => edge.node) ?? [];
      if (check(entries)) return entries;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(result.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('notifies the expert of a traveler message and the traveler of the answers', async () => {
    const started = await graph.graphql(
      `mutation ($expertId: ID!) { startConversation(expertId: $expertId) { conversation { id } userErrors { code } } }`,
      { expertId: expert.id },
      { token: traveler },
    );
    const conversationId = started.body.data.startConversation.conversation.id;
    const sent = await graph.graphql(
      `mutation ($id: ID!) { sendMessage(conversationId: $id, body: "Best bakery near the Louvre?") { message { id } reply { author } } }`,
      { id: conversationId },
      { token: traveler },
    );
    expect(sent.body.data.sendMessage.reply.author).toBe('ASSISTANT');

    const expertInbox = await waitForInbox(
      expertToken,
      (entries) => entries.some((entry) => entry.kind === 'EXPERT_MESSAGE'),
      "the expert's notification",
    );
    expect(expertInbox.find((entry) => entry.kind === 'EXPERT_MESSAGE')).toMatchObject({
      body: 'Best bakery near the Louvre?',
      title: expect.stringContaining('Tess'),
    });

    await graph.graphql(
      `mutation ($id: ID!) { replyAsExpert(conversationId: $id, body: "Try Du Pain et des Idées.") { message { id } } }`,
      { id: conversationId },
      { token: expertToken },
    );
    const travelerInbox = await waitForInbox(
      traveler,
      (entries) => entries.filter((entry) => entry.kind === 'EXPERT_MESSAGE').length >= 2,
      "the traveler's notifications",
    );
    const bodies = travelerInbox
      .filter((entry) => entry.kind === 'EXPERT_MESSAGE')
      .map((entry) => entry.body);
    expect(bodies).toContain('Try Du Pain et des Idées.');
    expect(travelerInbox.some((entry) => entry.title.includes(expert.name))).toBe(true);
  });
});
