import type { MutationResolvers } from '../../__generated__/resolvers-types.ts';
import { requireCaller } from '../../identity.ts';
import { suggest, SuggestionInputError } from '../../suggestions.ts';

export const planItinerary: MutationResolvers['planItinerary'] = async (_root, { input }, context) => {
  const owner = requireCaller(context.identity);
  try {
    const suggestion = await suggest(context, {
      owner,
      tripId: null,
      fieldPrefix: ['input'],
      coordinate: 'Mutation.planItinerary',
      request: { ...input, interests: input.interests ?? [] },
    });
    return { suggestion, userErrors: [] };
  } catch (error) {
    if (error instanceof SuggestionInputError) return { suggestion: null, userErrors: error.userErrors };
    throw error;
  }
};
