import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { requireCaller } from '../../identity.ts';
import { readSuggestion } from '../../suggestions/suggestions.service.ts';

export const itinerarySuggestion: QueryResolvers['itinerarySuggestion'] = (_root, { id }, context) =>
  readSuggestion(context, requireCaller(context.identity), id);
