import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { startConversation as start } from '../../chat/chat.ts';
import { requireUser } from '../../identity.ts';

export const startConversation: MutationResolvers['startConversation'] = async (_root, args, context) => {
  requireUser(context.identity);
  const result = await start(context, context.identity, args);
  return result.ok
    ? { conversation: result.value, userErrors: [] }
    : { conversation: null, userErrors: result.userErrors };
};
