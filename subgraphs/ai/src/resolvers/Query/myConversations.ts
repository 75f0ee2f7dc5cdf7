import { hasRole, pageSize, toConnection } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { conversationsOf, countConversationsOf } from '../../db/conversations.repository.ts';
import { expertByUserId } from '../../db/experts.repository.ts';
import { requireUser } from '../../identity.ts';
import { decodeKeyset, encodeKeyset } from '../cursor.ts';

export const myConversations: QueryResolvers['myConversations'] = async (
  _root,
  { first, after },
  context,
) => {
  const user = requireUser(context.identity);
  const size = pageSize(first, 20);
  const cursor = after ? decodeKeyset(after) : undefined;
  const expert = hasRole(context.identity, 'EXPERT') ? await expertByUserId(context.db, user.id) : undefined;
  const participant = { userId: user.id, expertId: expert?.id };
  const rows = await conversationsOf(context.db, participant, {
    limit: size + 1,
    after: cursor,
  });
  return toConnection(rows, size, encodeKeyset, () => countConversationsOf(context.db, participant)) as never;
};
