import { requireViewer } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { readConversation } from '../../chat/chat.service.ts';

export const conversation: QueryResolvers['conversation'] = (_root, { id }, context) => {
  requireViewer(context);
  return readConversation(context, id);
};
