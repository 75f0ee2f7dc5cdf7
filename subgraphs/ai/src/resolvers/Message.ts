import type { MessageResolvers } from '../__generated__/resolvers-types.ts';

export const Message: MessageResolvers = {
  author: (message) => message.author_kind,
  authorName: (message) => message.author_name,
  createdAt: (message) => message.created_at,
};
