import { requireViewer } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { readableConversation } from '../../chat/chat.ts';

export const conversation: QueryResolvers['conversation'] = async (_root, { id }, context) => {
  requireViewer(context);
  return (await readableConversation(context, context.identity, id)) ?? null;
};
