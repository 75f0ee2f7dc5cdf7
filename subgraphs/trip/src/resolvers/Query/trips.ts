import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { requireViewer } from '@traveloure/platform';
import { tripConnection } from '../shared.ts';

export const trips: QueryResolvers['trips'] = (_parent, args, context) =>
  tripConnection(context, requireViewer(context).id, args);
