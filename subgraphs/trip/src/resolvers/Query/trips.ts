import { requireViewer } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { listTrips } from '../../trips/trips.service.ts';

export const trips: QueryResolvers['trips'] = (_parent, args, context) =>
  listTrips(context, requireViewer(context).id, args);
