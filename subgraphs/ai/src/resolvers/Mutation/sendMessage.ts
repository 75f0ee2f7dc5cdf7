import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { sendTravelerMessage } from '../../chat/chat.ts';
import { requireUser } from '../../identity.ts';

export const sendMessage: MutationResolvers['sendMessage'] = async (_root, args, context) => {
  requireUser(context.identity);
  const result = await sendTravelerMessage(context, context.identity, args);
  return result.ok
    ? { message: result.value.message, reply: result.value.reply, userErrors: [] }
    : { message: null, reply: null, userErrors: result.userErrors };
};
