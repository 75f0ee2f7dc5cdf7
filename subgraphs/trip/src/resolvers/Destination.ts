import type { DestinationResolvers } from '../__generated__/resolvers-types.ts';

export const Destination: DestinationResolvers = {
  __resolveReference: (reference, context) => context.loaders.destinationByCode.load(reference.code),
};
