import { requireViewer } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { findTrip } from '../../trips/trips.service.ts';

export const trip: QueryResolvers['trip'] = (_parent, args, context) => {
  requireViewer(context);
  return findTrip(context, args.id);
};
