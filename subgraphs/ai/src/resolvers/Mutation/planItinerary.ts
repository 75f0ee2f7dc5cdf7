import { parseInput, withUserErrors } from '@traveloure/platform';
import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { requireCaller } from '../../identity.ts';
import { suggestItinerary } from '../../suggestions/suggestions.service.ts';
import { planRequestInput } from '../../suggestions/suggestions.input.ts';

export const planItinerary: MutationResolvers['planItinerary'] = async (_root, args, context) => {
  const owner = requireCaller(context.identity);
  return withUserErrors(
    async () => ({
      suggestion: await suggestItinerary(context, {
        owner,
        tripId: null,
        request: parseInput(planRequestInput, args.input, ['input']),
        inputPath: ['input'],
        coordinate: 'Mutation.planItinerary',
      }),
    }),
    { suggestion: null },
  );
};
