import { hasRole, keysetCursor, pageSize, requireViewer, toConnection } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { conversationsOf, countConversationsOf } from '../../db/conversations.repository.ts';
import { expertByUserId } from '../../db/experts.repository.ts';

export const myConversations: QueryResolvers['myConversations'] = async (
  _root,
  { first, after },
  context,
) => {
  const viewer = requireViewer(context);
  const size = pageSize(first, 20);
  // A forged cursor is refused here, before it reaches a ::timestamptz or ::uuid cast.
  const cursor = after ? keysetCursor.decode(after) : undefined;
  const expert = hasRole(context.identity, 'EXPERT')
    ? await expertByUserId(context.db, viewer.id)
    : undefined;
  const participant = { userId: viewer.id, expertId: expert?.id };
  const rows = await conversationsOf(context.db, participant, {
    limit: size + 1,
    after: cursor,
  });
  return toConnection(
    rows,
    size,
    (row) => keysetCursor.encode({ at: row.cursor_at, id: row.id }),
    () => countConversationsOf(context.db, participant),
  ) as never;
};
