import { requireViewer } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { findUser } from '../../users/users.service.ts';

export const user: QueryResolvers['user'] = (_parent, args, context) => {
  requireViewer(context);
  return findUser(context, args.id);
};
