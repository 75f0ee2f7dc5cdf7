import type { TripResolvers } from '../__generated__/resolvers-types.ts';
import { durationDays } from '../trips/trip-dates.ts';

/** A foreign key guarantees these rows exist; a null here is a broken invariant, not a client error. */
function present<T>(value: T | null, what: string): T {
  // A plain Error: the error formatter reports it and answers INTERNAL_SERVER_ERROR.
  if (value === null) throw new Error(`${what} is missing`);
  return value;
}

export const Trip: TripResolvers = {
  // Through the loader, which sees only the viewer's trips (or all, for an admin).
  __resolveReference: (reference, context) => context.loaders.tripById.load(reference.id),
  owner: async (trip, _args, context) =>
    present(await context.loaders.userById.load(trip.user_id), 'trip owner'),
  destination: async (trip, _args, context) =>
    present(await context.loaders.destinationByCode.load(trip.destination_code), 'trip destination'),
  destinationCode: (trip) => trip.destination_code,
  startDate: (trip) => trip.start_date,
  endDate: (trip) => trip.end_date,
  durationDays: (trip) => durationDays(trip.start_date, trip.end_date),
  items: (trip, _args, context) => context.loaders.itemsByTripId.load(trip.id),
  createdAt: (trip) => trip.created_at,
  updatedAt: (trip) => trip.updated_at,
};
