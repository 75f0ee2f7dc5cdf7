import { requireViewer } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { findSignedInUser } from '../../users/users.service.ts';

export const me: QueryResolvers['me'] = (_parent, _args, context) =>
  findSignedInUser(context, requireViewer(context));
