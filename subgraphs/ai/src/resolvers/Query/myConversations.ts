import { decodeCursor, encodeCursor, hasRole, pageSize, toConnection } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { conversationsOf, countConversationsOf } from '../../db/conversations.repository.ts';
import { expertByUserId } from '../../db/experts.repository.ts';
import { requireUser } from '../../identity.ts';

export const myConversations: QueryResolvers['myConversations'] = async (
  _root,
  { first, after },
  context,
) => {
  const user = requireUser(context.identity);
  const size = pageSize(first, 20);
  const cursor = after ? decodeCursor(after, 2) : undefined;
  const expert = hasRole(context.identity, 'EXPERT') ? await expertByUserId(context.db, user.id) : undefined;
  const participant = { userId: user.id, expertId: expert?.id };
  const rows = await conversationsOf(context.db, participant, {
    limit: size + 1,
    after: cursor ? { lastMessageAt: String(cursor[0]), id: String(cursor[1]) } : undefined,
  });
  return toConnection(
    rows,
    size,
    (row) => encodeCursor([new Date(row.last_message_at).toISOString(), row.id]),
    () => countConversationsOf(context.db, participant),
  ) as never;
};
