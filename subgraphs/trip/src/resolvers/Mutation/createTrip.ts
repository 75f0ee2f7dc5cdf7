import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { insertTrip } from '../../db/trips.repository.ts';
import { writeTripEvent } from '../../events.ts';
import { validateTrip } from '../../validation.ts';
import { requireViewer } from '@traveloure/platform';

export const createTrip: MutationResolvers['createTrip'] = async (_parent, { input }, context) => {
  const viewer = requireViewer(context);
  const fields = {
    title: input.title,
    destinationCode: input.destinationCode.trim().toUpperCase(),
    startDate: input.startDate,
    endDate: input.endDate,
    travelers: input.travelers ?? 1,
  };
  const destination = await context.loaders.destinationByCode.load(fields.destinationCode);
  const userErrors = validateTrip(fields, { destinationKnown: destination !== null });
  if (userErrors.length > 0) return { trip: null, userErrors };

  // The owner is always the caller: the input has no owner field, so a trip cannot be planted
  // on someone else. The trip lives in the owner's region partition.
  const owner = await context.loaders.userById.load(viewer.id);
  if (!owner) throw new Error(`signed-in user ${viewer.id} was not provisioned`);
  const trip = await context.db.transaction().execute(async (trx) => {
    const row = await insertTrip(trx, {
      region: owner.region,
      user_id: owner.id,
      title: fields.title.trim(),
      destination_code: fields.destinationCode,
      start_date: fields.startDate,
      end_date: fields.endDate,
      travelers: fields.travelers,
      budget: input.budget ?? 'MIDRANGE',
      pace: input.pace ?? 'MODERATE',
    });
    await writeTripEvent(trx, 'trip.created', row);
    return row;
  });
  context.loaders.tripById.prime(trip.id, trip);
  return { trip, userErrors: [] };
};
