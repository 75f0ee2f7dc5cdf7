import { requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { startConversation as start } from '../../chat/chat.ts';

export const startConversation: MutationResolvers['startConversation'] = async (_root, args, context) => {
  requireViewer(context);
  return withUserErrors(async () => ({ conversation: await start(context, context.identity, args) }), {
    conversation: null,
  });
};
