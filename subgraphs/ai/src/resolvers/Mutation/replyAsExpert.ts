import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { replyAsExpert as reply } from '../../chat/chat.ts';
import { requireUser } from '../../identity.ts';

export const replyAsExpert: MutationResolvers['replyAsExpert'] = async (_root, args, context) => {
  requireUser(context.identity);
  const result = await reply(context, context.identity, args);
  return result.ok
    ? { message: result.value, reply: null, userErrors: [] }
    : { message: null, reply: null, userErrors: result.userErrors };
};
