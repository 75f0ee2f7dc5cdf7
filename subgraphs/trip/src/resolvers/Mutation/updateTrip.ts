import { rejectInput, requireViewer, userError, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import type { TripUpdate } from '../../db/database.ts';
import { updateTrip as updateTripRow } from '../../db/trips.repository.ts';
import { countItemsOutside } from '../../db/items.repository.ts';
import { writeTripEvent } from '../../events.ts';
import { tripWindow, validateTrip } from '../../validation.ts';
import { notFoundError } from '../shared.ts';
import { refreshTripLoaders } from '../itinerary.ts';

export const updateTrip: MutationResolvers['updateTrip'] = async (_parent, { id, input }, context) => {
  requireViewer(context);
  const current = await context.loaders.tripById.load(id);
  if (!current) return { trip: null, userErrors: [notFoundError(['id'], 'Trip')] };

  const patch: TripUpdate = {};
  if (input.title != null) patch.title = input.title.trim();
  if (input.destinationCode != null) patch.destination_code = input.destinationCode.trim().toUpperCase();
  if (input.startDate != null) patch.start_date = input.startDate;
  if (input.endDate != null) patch.end_date = input.endDate;
  if (input.travelers != null) patch.travelers = input.travelers;
  if (input.budget != null) patch.budget = input.budget;
  if (input.pace != null) patch.pace = input.pace;
  if (Object.keys(patch).length === 0) return { trip: current, userErrors: [] };

  const merged = {
    title: input.title ?? current.title,
    destinationCode: patch.destination_code ?? current.destination_code,
    startDate: patch.start_date ?? current.start_date,
    endDate: patch.end_date ?? current.end_date,
    travelers: patch.travelers ?? current.travelers,
  };
  const destination = await context.loaders.destinationByCode.load(merged.destinationCode);
  const userErrors = validateTrip(merged, { destinationKnown: destination !== null });
  if (userErrors.length > 0 || !destination) return { trip: null, userErrors };

  const itemsMayNotFit =
    patch.start_date !== undefined || patch.end_date !== undefined || patch.destination_code !== undefined;
  return withUserErrors(
    async () => {
      const trip = await context.db.transaction().execute(async (trx) => {
        // Updating first takes the trip's row lock, so no item can be added between the check and the commit.
        const row = await updateTripRow(trx, { id: current.id, region: current.region }, patch);
        if (!row) rejectInput(notFoundError(['id'], 'Trip'));
        if (itemsMayNotFit) {
          const outside = await countItemsOutside(
            trx,
            row.id,
            tripWindow(row.start_date, row.end_date, destination.timezone),
          );
          if (outside > 0) {
            const field =
              patch.start_date !== undefined
                ? 'startDate'
                : patch.end_date !== undefined
                  ? 'endDate'
                  : 'destinationCode';
            rejectInput(
              userError(
                ['input', field],
                `${outside} itinerary item(s) would fall outside the trip; move or remove them first.`,
                'ITEMS_OUTSIDE_TRIP',
              ),
            );
          }
        }
        await writeTripEvent(trx, 'trip.updated', row);
        return row;
      });
      await refreshTripLoaders(context, trip);
      return { trip };
    },
    { trip: null },
  );
};
