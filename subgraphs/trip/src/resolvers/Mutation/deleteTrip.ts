import { requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import * as trips from '../../trips/trips.service.ts';

export const deleteTrip: MutationResolvers['deleteTrip'] = (_parent, { id }, context) => {
  requireViewer(context);
  return withUserErrors(async () => ({ deletedTripId: await trips.deleteTrip(context, id) }), {
    deletedTripId: null,
  });
};
