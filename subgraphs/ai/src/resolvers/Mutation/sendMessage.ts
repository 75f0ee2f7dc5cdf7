import { parseInput, requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { messageInput } from '../../chat/chat.input.ts';
import { sendMessage as send } from '../../chat/chat.service.ts';

export const sendMessage: MutationResolvers['sendMessage'] = async (_root, args, context) => {
  requireViewer(context);
  return withUserErrors(() => send(context, parseInput(messageInput, args, [])), {
    message: null,
    reply: null,
  });
};
