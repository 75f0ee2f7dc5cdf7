import { requireViewer } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { listMyConversations } from '../../chat/chat.service.ts';

export const myConversations: QueryResolvers['myConversations'] = async (_root, args, context) =>
  (await listMyConversations(context, requireViewer(context), args)) as never;
