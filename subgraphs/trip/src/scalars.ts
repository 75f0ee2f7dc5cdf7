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

function parseDateValue(value: unknown): string {
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw badUserInput(`Date must be a real calendar day written YYYY-MM-DD; got ${JSON.stringify(value)}.`);
  }
  return value;
}

function parseDateTimeValue(value: unknown): Date {
  const date = typeof value === 'string' ? parseInstant(value) : undefined;
  if (!date) {
    throw badUserInput(
      `DateTime must be ISO 8601 with a time zone, e.g. 2026-05-01T09:30:00Z; got ${JSON.stringify(value)}.`,
    );
  }
  return date;
}

export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD.',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return parseDateValue(value);
  },
  parseValue: parseDateValue,
  parseLiteral: (ast) => parseDateValue(ast.kind === Kind.STRING ? ast.value : undefined),
});

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant in time, ISO 8601 in UTC.',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString();
    return parseDateTimeValue(value).toISOString();
  },
  parseValue: parseDateTimeValue,
  parseLiteral: (ast) => parseDateTimeValue(ast.kind === Kind.STRING ? ast.value : undefined),
});
