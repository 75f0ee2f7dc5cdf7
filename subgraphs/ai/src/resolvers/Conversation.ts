import type { ConversationResolvers } from '../__generated__/resolvers-types.ts';
import { listMessages } from '../chat/chat.service.ts';

export const Conversation: ConversationResolvers = {
  expert: async (conversation, _args, context) =>
    (await context.loaders.expertById.load(conversation.expert_id))!,
  trip: (conversation) => (conversation.trip_id ? { id: conversation.trip_id } : null),
  createdAt: (conversation) => conversation.created_at,
  lastMessageAt: (conversation) => conversation.last_message_at,
  messages: async (conversation, args, context) => (await listMessages(context, conversation, args)) as never,
};
