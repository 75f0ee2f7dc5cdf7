import { requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { replyAsExpert as reply } from '../../chat/chat.ts';

export const replyAsExpert: MutationResolvers['replyAsExpert'] = async (_root, args, context) => {
  requireViewer(context);
  return withUserErrors(
    async () => ({ message: await reply(context, context.identity, args), reply: null }),
    {
      message: null,
      reply: null,
    },
  );
};
