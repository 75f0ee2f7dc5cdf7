import type { UserResolvers } from '../__generated__/resolvers-types.ts';
import { visibleTrips } from '../trips/trips.service.ts';
import { visibleEmail } from '../users/users.service.ts';

export const User: UserResolvers = {
  __resolveReference: (reference, context) => context.loaders.userById.load(reference.id),
  email: (user, _args, context) => visibleEmail(context, user),
  trips: (user, args, context) => visibleTrips(context, user, args),
};
