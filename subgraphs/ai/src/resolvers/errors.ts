import { badUserInput } from '@traveloure/platform';
import { SuggestionInputError } from '../suggestions.ts';

/** On a field (not a mutation payload) input problems surface as BAD_USER_INPUT errors. */
export function suggestionInputToGraphQLError(error: unknown): unknown {
  if (!(error instanceof SuggestionInputError)) return error;
  const first = error.userErrors[0];
  return badUserInput(error.message, first?.field ?? undefined);
}
