import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { readableConversation } from '../../chat/chat.ts';
import { requireUser } from '../../identity.ts';

export const conversation: QueryResolvers['conversation'] = async (_root, { id }, context) => {
  requireUser(context.identity);
  return (await readableConversation(context, context.identity, id)) ?? null;
};
