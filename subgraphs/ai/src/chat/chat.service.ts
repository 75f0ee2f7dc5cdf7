import type { Kysely } from 'kysely';
import {
  counter,
  forbidden,
  hasRole,
  isUuid,
  keysetCursor,
  pageSize,
  rejectInput,
  toConnection,
  userError,
  writeOutboxEvent,
  type KeysetPosition,
  type Viewer,
} from '@traveloure/platform';
import type { EventPayload } from '@traveloure/platform/events/contracts';
import type { AiContext } from '../context.ts';
import type { ConversationRow, Database, ExpertRow, MessageRow } from '../db/database.ts';
import {
  conversationsOf,
  countConversationsOf,
  insertConversation,
  insertMessage,
  lastExpertMessageAt,
  messagesPage,
  recentMessages,
} from '../db/conversations.repository.ts';
import { expertByUserId } from '../db/experts.repository.ts';
import { latestSuggestionForTrip } from '../db/suggestions.repository.ts';
import type { ChatTurn } from '../llm/client.ts';
import { messageBody } from './chat.input.ts';

export const ASSISTANT_NAME = 'Traveloure Assistant';
export const ASSISTANT_FALLBACK =
  "Thanks for your message! Your expert will get back to you soon. I can't look into it myself right now, " +
  'but nothing is lost: the conversation is saved and you will be notified when the expert answers.';

const assistantReplies = counter(
  'ai_assistant_replies_total',
  'Assistant replies in expert chats, by source',
  ['service', 'source'],
);

type ChatDeps = Pick<AiContext, 'services' | 'logger' | 'loaders' | 'identity'>;

/** A page of a connection as the client asks for it (`first`, `after`). */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** Whether the caller takes part in the conversation: its traveler, or its expert. */
async function participation(
  deps: ChatDeps,
  conversation: ConversationRow,
): Promise<'TRAVELER' | 'EXPERT' | undefined> {
  const { identity } = deps;
  const user = identity.user;
  if (!user) return undefined;
  if (conversation.traveler_user_id === user.id) return 'TRAVELER';
  const expert = await deps.loaders.expertById.load(conversation.expert_id);
  if (expert?.user_id === user.id && hasRole(identity, 'EXPERT')) return 'EXPERT';
  return undefined;
}

/** Loads a conversation the caller takes part in; a stranger is refused. */
export async function readConversation(deps: ChatDeps, id: string): Promise<ConversationRow | null> {
  const conversation = await deps.loaders.conversationById.load(id);
  if (!conversation) return null;
  if (!(await participation(deps, conversation))) {
    throw forbidden('Only the traveler and the expert of a conversation can read it.');
  }
  return conversation;
}

/** A conversation of the signed-in traveler with an expert, about one of their trips or none. */
export async function startConversation(
  deps: ChatDeps,
  input: { expertId: string; tripId: string | null },
): Promise<ConversationRow> {
  const user = deps.identity.user!;
  const expert = await deps.loaders.expertById.load(input.expertId);
  if (!expert) rejectInput(userError(['expertId'], 'No such expert.', 'NOT_FOUND'));
  if (expert.user_id === user.id) {
    rejectInput(userError(['expertId'], 'You cannot start a conversation with yourself.', 'INVALID'));
  }
  let tripId: string | null = null;
  const requestedTrip = input.tripId;
  if (requestedTrip) {
    // Someone else's trip, a deleted one and one that never existed read alike, so the answer
    // tells nothing about other travelers' trips. Admins get no exception: the expert and the
    // assistant would see the trip, which only its owner may share.
    const trip = isUuid(requestedTrip) ? await deps.loaders.tripById.load(requestedTrip) : null;
    if (!trip || trip.deleted || trip.owner_user_id !== user.id) {
      rejectInput(userError(['tripId'], 'No such trip.', 'NOT_FOUND'));
    }
    tripId = trip.id;
  }
  const conversation = await insertConversation(deps.services.db, {
    expertId: expert.id,
    travelerUserId: user.id,
    travelerName: user.name ?? null,
    tripId,
  });
  return conversation;
}

/**
 * Writes a message and its `conversation.message_created` event in one transaction, so the
 * notification subgraph hears of every message that exists and of no other.
 */
async function writeMessage(
  db: Kysely<Database>,
  conversation: ConversationRow,
  expert: ExpertRow,
  message: { kind: MessageRow['author_kind']; userId: string | null; name: string; body: string },
): Promise<MessageRow> {
  return db.transaction().execute(async (trx) => {
    const row = await insertMessage(trx, {
      conversation_id: conversation.id,
      author_kind: message.kind,
      author_user_id: message.userId,
      author_name: message.name,
      body: message.body,
    });
    const recipientUserIds =
      message.kind === 'TRAVELER'
        ? expert.user_id
          ? [expert.user_id]
          : []
        : [conversation.traveler_user_id];
    await writeOutboxEvent(trx, 'ai', {
      aggregateType: 'conversation',
      aggregateId: conversation.id,
      eventType: 'conversation.message_created',
      payload: {
        conversationId: conversation.id,
        messageId: row.id,
        recipientUserIds,
        authorKind: message.kind,
        authorName: message.name,
        preview: message.body.length > 140 ? `${message.body.slice(0, 139)}…` : message.body,
      } satisfies EventPayload<'conversation.message_created'>,
    });
    return row;
  });
}

/**
 * A traveler's message (the body already sanitized by `messageInput`); the assistant answers at
 * once when the expert has not written for CHAT_EXPERT_ACTIVE_MINUTES.
 */
export async function sendMessage(
  deps: ChatDeps,
  input: { conversationId: string; body: string },
): Promise<{ message: MessageRow; reply: MessageRow | null }> {
  const conversation = await deps.loaders.conversationById.load(input.conversationId);
  if (!conversation) rejectInput(userError(['conversationId'], 'No such conversation.', 'NOT_FOUND'));
  const role = await participation(deps, conversation);
  if (role !== 'TRAVELER') {
    throw forbidden(
      role === 'EXPERT'
        ? 'Experts answer with replyAsExpert.'
        : 'Only the traveler and the expert of a conversation can write in it.',
    );
  }
  const expert = (await deps.loaders.expertById.load(conversation.expert_id))!;
  const user = deps.identity.user!;
  const message = await writeMessage(deps.services.db, conversation, expert, {
    kind: 'TRAVELER',
    userId: user.id,
    name: conversation.traveler_name ?? user.name ?? 'Traveler',
    body: input.body,
  });

  let reply: MessageRow | null = null;
  const expertLast = await lastExpertMessageAt(deps.services.db, conversation.id);
  const awayAfter = Date.now() - deps.services.config.CHAT_EXPERT_ACTIVE_MINUTES * 60_000;
  if (!expertLast || expertLast.getTime() < awayAfter) {
    const text = await assistantAnswer(deps, conversation, expert);
    reply = await writeMessage(deps.services.db, conversation, expert, {
      kind: 'ASSISTANT',
      userId: null,
      name: ASSISTANT_NAME,
      body: text,
    });
  }
  return { message, reply };
}

/** The expert's answer in one of their conversations (the body already sanitized by `messageInput`). */
export async function replyAsExpert(
  deps: ChatDeps,
  input: { conversationId: string; body: string },
): Promise<MessageRow> {
  const user = deps.identity.user!;
  if (!hasRole(deps.identity, 'EXPERT')) throw forbidden('Only experts can answer as an expert.');
  const conversation = await deps.loaders.conversationById.load(input.conversationId);
  if (!conversation) rejectInput(userError(['conversationId'], 'No such conversation.', 'NOT_FOUND'));
  const expert = await expertByUserId(deps.services.db, user.id);
  if (!expert || expert.id !== conversation.expert_id) {
    throw forbidden('Only the expert of this conversation can answer in it.');
  }
  return writeMessage(deps.services.db, conversation, expert, {
    kind: 'EXPERT',
    userId: user.id,
    name: expert.name,
    body: input.body,
  });
}

/** The assistant's answer: the LLM with the trip as context, or a polite fallback. */
async function assistantAnswer(
  deps: ChatDeps,
  conversation: ConversationRow,
  expert: ExpertRow,
): Promise<string> {
  if (!deps.services.llm.enabled) {
    assistantReplies.inc({ service: 'ai', source: 'fallback' });
    return ASSISTANT_FALLBACK;
  }
  try {
    const turns = await assistantTurns(deps, conversation, expert);
    const text = await deps.services.llm.chat(turns);
    // An answer that is empty or too long after sanitizing is refused, and the fallback sent.
    const body = messageBody.parse(text);
    assistantReplies.inc({ service: 'ai', source: 'llm' });
    return body;
  } catch (error) {
    deps.logger.warn(
      { err: error, conversationId: conversation.id },
      'assistant reply failed; sending the fallback',
    );
    assistantReplies.inc({ service: 'ai', source: 'fallback' });
    return ASSISTANT_FALLBACK;
  }
}

/**
 * The trip the assistant is told about: the projected trip (current, also without any
 * suggestion), with the interests and plan of the traveler's latest suggestion for it. A deleted
 * trip is no context; a trip not projected yet falls back to what the suggestion recorded.
 */
async function tripContext(deps: ChatDeps, conversation: ConversationRow) {
  if (!conversation.trip_id) return null;
  const [projected, suggestion] = await Promise.all([
    deps.loaders.tripById.load(conversation.trip_id),
    latestSuggestionForTrip(deps.services.db, conversation.trip_id, `user:${conversation.traveler_user_id}`),
  ]);
  if (projected?.deleted) return null;
  const facts = projected
    ? {
        title: projected.title,
        destinationCode: projected.destination_code,
        startDate: projected.start_date,
        endDate: projected.end_date,
        travelers: projected.travelers,
        budget: projected.budget,
        pace: projected.pace,
      }
    : suggestion
      ? {
          destinationCode: suggestion.destination_code,
          startDate: suggestion.start_date,
          endDate: suggestion.end_date,
          travelers: suggestion.travelers,
          budget: suggestion.budget,
          pace: suggestion.pace,
        }
      : null;
  if (!facts) return null;
  return suggestion
    ? { ...facts, interests: suggestion.interests, suggestedItinerary: suggestion.days }
    : facts;
}

async function assistantTurns(
  deps: ChatDeps,
  conversation: ConversationRow,
  expert: ExpertRow,
): Promise<ChatTurn[]> {
  const history = await recentMessages(deps.services.db, conversation.id, 20);
  const trip = await tripContext(deps, conversation);
  const system =
    `You are ${ASSISTANT_NAME}, answering on behalf of the travel expert ${expert.name} ` +
    `(${expert.specialties.join(', ')}; covers ${expert.destinations.join(', ')}) while they are away. ` +
    'Be brief, friendly and practical; say the expert will follow up on anything you are unsure about. ' +
    'Answer in plain text without markup.' +
    (trip ? ` The traveler's trip: ${JSON.stringify(trip)}` : ' The traveler has not shared trip details.');
  return [
    { role: 'system', content: system },
    ...history.map((message): ChatTurn => ({
      role: message.author_kind === 'TRAVELER' ? 'user' : 'assistant',
      content: message.author_kind === 'EXPERT' ? `(${expert.name}) ${message.body}` : message.body,
    })),
  ];
}

/** The caller's conversations, newest activity first: as traveler, and as the expert they answer for. */
export async function listMyConversations(
  deps: Pick<ChatDeps, 'services' | 'identity'>,
  viewer: Viewer,
  page: PageArgs,
) {
  const expert = hasRole(deps.identity, 'EXPERT')
    ? await expertByUserId(deps.services.db, viewer.id)
    : undefined;
  const participant = { userId: viewer.id, expertId: expert?.id };
  return keysetConnection(
    page,
    20,
    (window) => conversationsOf(deps.services.db, participant, window),
    () => countConversationsOf(deps.services.db, participant),
  );
}

/** A conversation's messages, oldest first (whoever reached the conversation may read them). */
export function listMessages(
  deps: Pick<ChatDeps, 'services' | 'loaders'>,
  conversation: ConversationRow,
  page: PageArgs,
) {
  return keysetConnection(
    page,
    50,
    (window) => messagesPage(deps.services.db, conversation.id, window),
    () => deps.loaders.messageCountByConversationId.load(conversation.id),
  );
}

/**
 * One page of a keyset-paginated connection over rows that carry their cursor instant. One row
 * more than the page is read to know whether there is a next page; totalCount is a thunk (the
 * default resolver calls it), counted only when asked for.
 */
async function keysetConnection<Row extends { id: string; cursor_at: string }>(
  { first, after }: PageArgs,
  defaultSize: number,
  read: (window: { limit: number; after?: KeysetPosition }) => Promise<Row[]>,
  totalCount: () => Promise<number>,
) {
  const size = pageSize(first, defaultSize);
  // A forged cursor is refused here, before it reaches a ::timestamptz or ::uuid cast.
  const cursor = after ? keysetCursor.decode(after) : undefined;
  const rows = await read({ limit: size + 1, after: cursor });
  return toConnection(
    rows,
    size,
    (row) => keysetCursor.encode({ at: row.cursor_at, id: row.id }),
    totalCount,
  );
}
