import { isAdmin } from '@traveloure/platform';
import type { QueryResolvers } from '../../__generated__/resolvers-types.ts';
import { requireCaller } from '../../identity.ts';
import { toModel } from '../../suggestions.ts';

export const itinerarySuggestion: QueryResolvers['itinerarySuggestion'] = async (_root, { id }, context) => {
  const caller = requireCaller(context.identity);
  const row = await context.loaders.suggestionById.load(id);
  // Someone else's suggestion reads as missing: ids are not a way to probe others' plans.
  if (!row || (row.owner !== caller && !isAdmin(context.identity))) return null;
  return toModel(row);
};
