import { z } from 'zod';

/**
 * Length in characters (code points), as PostgreSQL's char_length counts them: an emoji is one
 * character, not the two UTF-16 units of String.length.
 */
export function characterCount(text: string): number {
  let count = 0;
  for (const _character of text) count++;
  return count;
}

/** A check's message and the user-error code parseInput reports for it. */
export const coded = (message: string, code: string) => ({ error: message, params: { code } });

/**
 * Object-level rules relate fields, so they must run even when another field already failed
 * (zod skips them by default): a form gets every problem at once. The fields they read are
 * typed by the GraphQL schema before zod sees them.
 */
export const always = { when: () => true } as const;

/** A title is required (after trimming) and at most `max` characters; parses to the trimmed title. */
export const titleSchema = (max: number) =>
  z
    .string()
    .trim()
    .refine((title) => title.length > 0, coded('Title must not be empty.', 'REQUIRED'))
    .refine(
      (title) => title.length === 0 || characterCount(title) <= max,
      coded(`Title must be at most ${max} characters.`, 'TOO_LONG'),
    );
