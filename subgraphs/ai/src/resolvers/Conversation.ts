import { pageSize, toConnection } from '@traveloure/platform';
import type { ConversationResolvers } from '../__generated__/resolvers-types.ts';
import { messagesPage } from '../db/conversations.repository.ts';
import { decodeKeyset, encodeKeyset } from './cursor.ts';

export const Conversation: ConversationResolvers = {
  expert: async (conversation, _args, context) =>
    (await context.loaders.expert.load(conversation.expert_id))!,
  trip: (conversation) => (conversation.trip_id ? { id: conversation.trip_id } : null),
  createdAt: (conversation) => conversation.created_at,
  lastMessageAt: (conversation) => conversation.last_message_at,
  messages: async (conversation, { first, after }, context) => {
    const size = pageSize(first, 50);
    const cursor = after ? decodeKeyset(after) : undefined;
    const rows = await messagesPage(context.db, conversation.id, {
      limit: size + 1,
      after: cursor,
    });
    return toConnection(
      rows,
      size,
      encodeKeyset,
      () => context.loaders.messageCount.load(conversation.id),
      // totalCount is a thunk (the default resolver calls it), counted only when asked for.
    ) as never;
  },
};
