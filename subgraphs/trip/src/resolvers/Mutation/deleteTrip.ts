import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { deleteTrip as deleteTripRow } from '../../db/trips.repository.ts';
import { writeTripEvent } from '../../events.ts';
import { catchRejected, notFoundError, Rejected, requireViewer } from '../shared.ts';

export const deleteTrip: MutationResolvers['deleteTrip'] = async (_parent, { id }, context) => {
  requireViewer(context);
  const trip = await context.loaders.trips.load(id);
  if (!trip) return { deletedTripId: null, userErrors: [notFoundError(['id'], 'Trip')] };
  const result = await catchRejected(() =>
    context.db.transaction().execute(async (trx) => {
      // Items go with the trip (on delete cascade).
      if (!(await deleteTripRow(trx, { id: trip.id, region: trip.region }))) {
        throw new Rejected([notFoundError(['id'], 'Trip')]);
      }
      await writeTripEvent(trx, 'trip.deleted', trip);
    }),
  );
  if (result instanceof Rejected) return { deletedTripId: null, userErrors: result.userErrors };
  context.loaders.trips.clear(trip.id).prime(trip.id, null);
  context.loaders.itemsByTrip.clear(trip.id);
  await context.caches?.invalidateTrip(trip.id);
  return { deletedTripId: trip.id, userErrors: [] };
};
