import { parseInput, requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { startConversationInput } from '../../chat/chat.input.ts';
import { startConversation as start } from '../../chat/chat.service.ts';

export const startConversation: MutationResolvers['startConversation'] = async (_root, args, context) => {
  requireViewer(context);
  return withUserErrors(
    async () => ({ conversation: await start(context, parseInput(startConversationInput, args, [])) }),
    { conversation: null },
  );
};
