import { withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { requireCaller } from '../../identity.ts';
import { suggest } from '../../suggestions.ts';

export const planItinerary: MutationResolvers['planItinerary'] = async (_root, { input }, context) => {
  const owner = requireCaller(context.identity);
  return withUserErrors(
    async () => ({
      suggestion: await suggest(context, {
        owner,
        tripId: null,
        fieldPrefix: ['input'],
        coordinate: 'Mutation.planItinerary',
        request: { ...input, interests: input.interests ?? [] },
      }),
    }),
    { suggestion: null },
  );
};
