import { sql, type Kysely } from 'kysely';
import type { ConversationRow, Database, MessageRow, MessagesTable } from './database.ts';
import { rowsByIds } from './rows.ts';

/** A timestamptz as an ISO instant with all six fractional digits, for keyset cursors. */
const cursorAt = (column: 'last_message_at' | 'created_at') =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
    'cursor_at',
  );

/** Conversations by id, in any order (see rowsByIds). */
export function conversationsByIds(db: Kysely<Database>, ids: readonly string[]): Promise<ConversationRow[]> {
  return rowsByIds(db, 'ai.conversations', ids);
}

export interface Participant {
  userId: string;
  /** Set when the caller is an expert: their conversations as the expert count too. */
  expertId?: string;
}

function participantConversations(db: Kysely<Database>, participant: Participant) {
  return db
    .selectFrom('ai.conversations')
    .where((eb) =>
      participant.expertId
        ? eb.or([eb('traveler_user_id', '=', participant.userId), eb('expert_id', '=', participant.expertId)])
        : eb('traveler_user_id', '=', participant.userId),
    );
}

export async function insertConversation(
  db: Kysely<Database>,
  values: { expertId: string; travelerUserId: string; travelerName: string | null; tripId: string | null },
): Promise<ConversationRow> {
  return db
    .insertInto('ai.conversations')
    .values({
      expert_id: values.expertId,
      traveler_user_id: values.travelerUserId,
      traveler_name: values.travelerName,
      trip_id: values.tripId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A participant's conversations: as traveler, or as the expert they answer for. */
export async function conversationsOf(
  db: Kysely<Database>,
  participant: Participant,
  page: { limit: number; after?: { at: string; id: string } },
): Promise<(ConversationRow & { cursor_at: string })[]> {
  let query = participantConversations(db, participant).selectAll().select(cursorAt('last_message_at'));
  if (page.after) {
    const { at, id } = page.after;
    query = query.where(sql<boolean>`(last_message_at, id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  return query.orderBy('last_message_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
}

export async function countConversationsOf(db: Kysely<Database>, participant: Participant): Promise<number> {
  const row = await participantConversations(db, participant)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertMessage(
  db: Kysely<Database>,
  values: Pick<MessagesTable, 'author_kind' | 'author_user_id' | 'author_name' | 'body'> & {
    conversation_id: string;
  },
): Promise<MessageRow> {
  const message = await db.insertInto('ai.messages').values(values).returningAll().executeTakeFirstOrThrow();
  await db
    .updateTable('ai.conversations')
    .set({ last_message_at: message.created_at })
    .where('id', '=', values.conversation_id)
    .execute();
  return message;
}

export async function messagesPage(
  db: Kysely<Database>,
  conversationId: string,
  page: { limit: number; after?: { at: string; id: string } },
): Promise<(MessageRow & { cursor_at: string })[]> {
  let query = db
    .selectFrom('ai.messages')
    .selectAll()
    .select(cursorAt('created_at'))
    .where('conversation_id', '=', conversationId);
  if (page.after) {
    const { at, id } = page.after;
    query = query.where(sql<boolean>`(created_at, id) > (${at}::timestamptz, ${id}::uuid)`);
  }
  return query.orderBy('created_at').orderBy('id').limit(page.limit).execute();
}

/** Message counts of many conversations in one statement; a conversation without messages has no row. */
export async function messageCounts(
  db: Kysely<Database>,
  conversationIds: readonly string[],
): Promise<{ conversationId: string; count: number }[]> {
  const rows = await db
    .selectFrom('ai.messages')
    .select(['conversation_id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('conversation_id', 'in', conversationIds)
    .groupBy('conversation_id')
    .execute();
  return rows.map((row) => ({ conversationId: row.conversation_id, count: Number(row.count) }));
}

/** The latest messages of a conversation, oldest first (the assistant's context window). */
export async function recentMessages(
  db: Kysely<Database>,
  conversationId: string,
  limit: number,
): Promise<MessageRow[]> {
  const rows = await db
    .selectFrom('ai.messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}

/** When the expert last wrote in the conversation, if ever. */
export async function lastExpertMessageAt(
  db: Kysely<Database>,
  conversationId: string,
): Promise<Date | undefined> {
  const row = await db
    .selectFrom('ai.messages')
    .select((eb) => eb.fn.max('created_at').as('at'))
    .where('conversation_id', '=', conversationId)
    .where('author_kind', '=', 'EXPERT')
    .executeTakeFirst();
  return row?.at ? new Date(row.at as Date | string) : undefined;
}
