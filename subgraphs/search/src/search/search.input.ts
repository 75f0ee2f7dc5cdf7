import { z } from 'zod';
import {
  codedError,
  ErrorCode,
  isCalendarDate,
  isIataCode,
  parseInput,
  UserInputError,
} from '@traveloure/platform';

/** Amadeus searches at most 361 days ahead. */
export const MAX_DAYS_AHEAD = 361;

export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** What is wrong with a search date, or nothing: a real day, not past, inside the horizon. */
function dateProblem(field: string, value: string, today: string): string | undefined {
  if (!isCalendarDate(value))
    return `${field} must be a real calendar day written YYYY-MM-DD; got "${value}".`;
  if (value < today) return `${field} may not be in the past (today is ${today} UTC).`;
  const latest = addDays(today, MAX_DAYS_AHEAD);
  if (value > latest) return `${field} may be at most ${MAX_DAYS_AHEAD} days ahead (until ${latest}).`;
  return undefined;
}

/** Whether a date passed its own checks, so rules comparing two dates only speak of real ones. */
export function isSearchableDate(value: string | null, today: string): value is string {
  return value !== null && dateProblem('', value, today) === undefined;
}

/** True when offers can exist for these dates (a trip in the past has none to search). */
export function searchableDates(start: string, end: string, today = todayUtc()): boolean {
  return (
    isCalendarDate(start) &&
    isCalendarDate(end) &&
    start >= today &&
    end <= addDays(today, MAX_DAYS_AHEAD) &&
    end >= start
  );
}

// Field checks add `continue: true` issues: every field is checked even when another failed, so
// the client can fix them all at once, and the cross-field rules still run.

/** A 3-letter IATA code, trimmed and upper-cased so equal searches share one cache key. */
export function iataCodeField(field: string, what: string) {
  return z.string().transform((raw, ctx) => {
    const value = raw.trim().toUpperCase();
    if (!isIataCode(value))
      ctx.addIssue({
        code: 'custom',
        message: `${field} must be a 3-letter IATA ${what} code, e.g. "PAR"; got "${raw}".`,
        continue: true,
      });
    return value;
  });
}

/** A day to search: a real calendar day from today up to MAX_DAYS_AHEAD. */
export function searchDateField(field: string, today: string) {
  return z.string().superRefine((value, ctx) => {
    const message = dateProblem(field, value, today);
    if (message) ctx.addIssue({ code: 'custom', message, continue: true });
  });
}

/** A whole number in [min, max], `fallback` when absent. */
export function countField(field: string, fallback: number, min: number, max: number) {
  return z
    .number()
    .nullish()
    .transform((value, ctx) => {
      const resolved = value ?? fallback;
      if (!Number.isInteger(resolved) || resolved < min || resolved > max)
        ctx.addIssue({
          code: 'custom',
          message: `${field} must be between ${min} and ${max}; got ${resolved}.`,
          continue: true,
        });
      return resolved;
    });
}

const currencyPattern = /^[A-Z]{3}$/;

/** An ISO 4217 code, trimmed and upper-cased; null when absent (the provider's default). */
export function currencyField(field: string) {
  return z
    .string()
    .nullish()
    .transform((value, ctx) => {
      if (value === null || value === undefined) return null;
      const normalized = value.trim().toUpperCase();
      if (!currencyPattern.test(normalized))
        ctx.addIssue({
          code: 'custom',
          message: `${field} must be an ISO 4217 code, e.g. "EUR"; got "${value}".`,
          continue: true,
        });
      return normalized;
    });
}

/**
 * A search input checked with parseInput, refused as BAD_USER_INPUT naming every failing field:
 * `field` is the first, `fields` all of them (with message and code). Searches are queries, with
 * no payload to carry userErrors, so the problems travel in the error's extensions. They are
 * listed in the input's field order, as a search form shows them, although zod reports the
 * cross-field rules (origin equals destination, dates out of order) after every field's own.
 */
export function parseSearchInput<Shape extends z.ZodRawShape, Output>(
  schema: z.ZodType<Output> & { shape: Shape },
  input: unknown,
  at: readonly string[] = ['input'],
): Output {
  try {
    return parseInput(schema, input, at);
  } catch (error) {
    if (!(error instanceof UserInputError)) throw error;
    const order = Object.keys(schema.shape);
    const position = (field: string[] | null) => order.indexOf(field?.[at.length] ?? '');
    const problems = [...error.userErrors].sort((a, b) => position(a.field) - position(b.field));
    throw codedError(ErrorCode.BAD_USER_INPUT, problems.map((problem) => problem.message).join(' '), {
      field: problems[0]?.field,
      fields: problems,
    });
  }
}
