import { parseInput, requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { messageInput } from '../../chat/chat.input.ts';
import { replyAsExpert as reply } from '../../chat/chat.service.ts';

export const replyAsExpert: MutationResolvers['replyAsExpert'] = async (_root, args, context) => {
  requireViewer(context);
  return withUserErrors(
    async () => ({ message: await reply(context, parseInput(messageInput, args, [])), reply: null }),
    { message: null, reply: null },
  );
};
