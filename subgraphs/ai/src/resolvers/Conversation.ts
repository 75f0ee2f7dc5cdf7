import { keysetCursor, pageSize, toConnection } from '@traveloure/platform';
import type { ConversationResolvers } from '../__generated__/resolvers-types.ts';
import { messagesPage } from '../db/conversations.repository.ts';

export const Conversation: ConversationResolvers = {
  expert: async (conversation, _args, context) =>
    (await context.loaders.expertById.load(conversation.expert_id))!,
  trip: (conversation) => (conversation.trip_id ? { id: conversation.trip_id } : null),
  createdAt: (conversation) => conversation.created_at,
  lastMessageAt: (conversation) => conversation.last_message_at,
  messages: async (conversation, { first, after }, context) => {
    const size = pageSize(first, 50);
    // A forged cursor is refused here, before it reaches a ::timestamptz or ::uuid cast.
    const cursor = after ? keysetCursor.decode(after) : undefined;
    const rows = await messagesPage(context.db, conversation.id, {
      limit: size + 1,
      after: cursor,
    });
    return toConnection(
      rows,
      size,
      (row) => keysetCursor.encode({ at: row.cursor_at, id: row.id }),
      () => context.loaders.messageCountByConversationId.load(conversation.id),
      // totalCount is a thunk (the default resolver calls it), counted only when asked for.
    ) as never;
  },
};
