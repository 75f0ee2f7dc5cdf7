import type { UserResolvers } from '../__generated__/resolvers-types.ts';
import { canSeePrivate, emptyTripConnection, tripConnection } from './shared.ts';

export const User: UserResolvers = {
  __resolveReference: (reference, context) => context.loaders.userById.load(reference.id),
  email: (user, _args, context) => (canSeePrivate(context, user.id) ? user.email : null),
  trips: (user, args, context) =>
    canSeePrivate(context, user.id) ? tripConnection(context, user.id, args) : emptyTripConnection(),
};
