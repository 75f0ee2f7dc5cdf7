import type { ItinerarySuggestionResolvers } from '../__generated__/resolvers-types.ts';

export const ItinerarySuggestion: ItinerarySuggestionResolvers = {
  generatedAt: (suggestion) => suggestion.generatedAt,
};
