import { GraphQLScalarType, Kind } from 'graphql';
import { badUserInput } from '@traveloure/platform';

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written `YYYY-MM-DD` (so 2026-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  const match = datePattern.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseInstant(value: string): Date | undefined {
  if (!isoInstant.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function serializeDate(value: unknown): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) throw new Error(`not a Date: ${String(value)}`);
  return value;
}

/**
 * Input Date and DateTime values are parsed leniently: any string passes, and the mutation
 * validates it, so a malformed date comes back as a `userError` naming its field (alongside the
 * input's other problems) instead of failing the whole request. Anything but a string is refused.
 */
function parseDateInput(value: unknown): string {
  if (typeof value !== 'string') throw badUserInput(`Date must be a string written YYYY-MM-DD; got ${JSON.stringify(value)}.`);
  return value;
}

/** An unparseable string becomes an invalid Date, which validation reports by field. */
function parseDateTimeInput(value: unknown): Date {
  if (typeof value !== 'string') {
    throw badUserInput(`DateTime must be an ISO 8601 string; got ${JSON.stringify(value)}.`);
  }
  return parseInstant(value) ?? new Date(Number.NaN);
}

export const isValidInstant = (value: Date) => !Number.isNaN(value.getTime());

export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD.',
  serialize: serializeDate,
  parseValue: parseDateInput,
  parseLiteral: (ast) => parseDateInput(ast.kind === Kind.STRING ? ast.value : undefined),
});

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant in time, ISO 8601 in UTC.',
  serialize: (value) => {
    const date = value instanceof Date ? value : typeof value === 'string' ? parseInstant(value) : undefined;
    if (!date || !isValidInstant(date)) throw new Error(`not a DateTime: ${String(value)}`);
    return date.toISOString();
  },
  parseValue: parseDateTimeInput,
  parseLiteral: (ast) => parseDateTimeInput(ast.kind === Kind.STRING ? ast.value : undefined),
});
