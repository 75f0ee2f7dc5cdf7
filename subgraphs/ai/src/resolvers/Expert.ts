import type { ExpertResolvers } from '../__generated__/resolvers-types.ts';

export const Expert: ExpertResolvers = {
  __resolveReference: (reference, context) => context.loaders.expertById.load(reference.id),
};
