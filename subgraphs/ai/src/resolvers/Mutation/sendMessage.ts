import { requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { sendTravelerMessage } from '../../chat/chat.ts';

export const sendMessage: MutationResolvers['sendMessage'] = async (_root, args, context) => {
  requireViewer(context);
  return withUserErrors(() => sendTravelerMessage(context, context.identity, args), {
    message: null,
    reply: null,
  });
};
