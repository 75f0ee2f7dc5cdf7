import type { z } from 'zod';
import { userError, type UserError } from '../errors.ts';
import { rejectInput } from './user-input.ts';

/**
 * GraphQL input checked at the resolver boundary, the one way every subgraph validates: a zod
 * schema says what is acceptable (ranges, lengths, formats, cross-field rules with `.refine` /
 * `.superRefine`), and each problem becomes a `UserError` whose `field` is the argument path
 * (`["input", "title"]`). Returns the parsed value (defaults applied, strings trimmed where the
 * schema says), or throws a UserInputError that `withUserErrors` answers as payload userErrors.
 *
 * A schema may set a problem's code with `{ params: { code: 'DATES' } }` on a custom issue, or
 * through the `error` option of a check (`z.string().max(120, { error: ... })` keeps `INVALID`).
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  at: readonly string[] = ['input'],
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  rejectInput(...userErrorsOf(result.error, at));
}

/** zod's issues as user errors under `at`, one per issue, in the order zod found them. */
export function userErrorsOf(error: z.ZodError, at: readonly string[] = ['input']): UserError[] {
  return error.issues.map((issue) => {
    const path = [...at, ...issue.path.map(String)];
    const code =
      issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : 'INVALID';
    return userError(path.length ? path : null, issue.message, code);
  });
}
