import { rejectInput, requireViewer, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { deleteTrip as deleteTripRow } from '../../db/trips.repository.ts';
import { writeTripEvent } from '../../events.ts';
import { notFoundError } from '../shared.ts';

export const deleteTrip: MutationResolvers['deleteTrip'] = async (_parent, { id }, context) => {
  requireViewer(context);
  return withUserErrors(
    async () => {
      const trip = await context.loaders.tripById.load(id);
      if (!trip) rejectInput(notFoundError(['id'], 'Trip'));
      await context.db.transaction().execute(async (trx) => {
        // Items go with the trip (on delete cascade).
        if (!(await deleteTripRow(trx, { id: trip.id, region: trip.region }))) {
          rejectInput(notFoundError(['id'], 'Trip'));
        }
        await writeTripEvent(trx, 'trip.deleted', trip);
      });
      context.loaders.tripById.clear(trip.id).prime(trip.id, null);
      context.loaders.itemsByTripId.clear(trip.id);
      await context.caches.invalidateTrip(trip.id);
      return { deletedTripId: trip.id };
    },
    { deletedTripId: null },
  );
};
