import { requireAdmin, requireViewer } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { listAllTrips, listOwnTrips } from '../../trips/trips.service.ts';

export const trips: QueryResolvers['trips'] = (_parent, args, context) => {
  if (args.allUsers) {
    requireAdmin(context, "Only admins can list every user's trips.");
    return listAllTrips(context, args);
  }
  return listOwnTrips(context, requireViewer(context), args);
};
