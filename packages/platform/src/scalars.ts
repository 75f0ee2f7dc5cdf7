import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badUserInput } from './errors.ts';

/**
 * The contract's `Date` (YYYY-MM-DD) and `DateTime` (ISO 8601, UTC) scalars, once for every
 * subgraph. PostgreSQL `date` values arrive as Date objects at UTC midnight and serialise to the
 * same day.
 */
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** True for a real calendar day written `YYYY-MM-DD` (so 2026-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  const match = datePattern.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An ISO 8601 instant with an explicit offset, or undefined (a local time is ambiguous). */
export function parseInstant(value: string): Date | undefined {
  if (!isoInstant.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export const isValidInstant = (value: Date) => !Number.isNaN(value.getTime());

const literal = (ast: ValueNode) => (ast.kind === Kind.STRING ? ast.value : undefined);

export interface DateScalarOptions {
  /**
   * `strict` (default): a malformed value fails the request with BAD_USER_INPUT.
   * `lenient`: any string passes (a malformed DateTime becomes an invalid Date), so a mutation can
   * report it as a userError naming its field along with the input's other problems.
   */
  inputs?: 'strict' | 'lenient';
}

export function dateScalars(options: DateScalarOptions = {}) {
  const lenient = options.inputs === 'lenient';

  const parseDate = (value: unknown): string => {
    if (typeof value === 'string' && (lenient || isCalendarDate(value))) return value;
    throw badUserInput(
      lenient
        ? `Date must be a string written YYYY-MM-DD; got ${JSON.stringify(value)}.`
        : `Date must be a real calendar day written YYYY-MM-DD; got ${JSON.stringify(value)}.`,
    );
  };

  const parseDateTime = (value: unknown): Date => {
    if (typeof value !== 'string') {
      throw badUserInput(`DateTime must be an ISO 8601 string; got ${JSON.stringify(value)}.`);
    }
    const instant = parseInstant(value);
    if (instant) return instant;
    if (lenient) return new Date(Number.NaN);
    throw badUserInput(
      `DateTime must be ISO 8601 with an offset (e.g. 2027-05-01T10:00:00Z); got ${JSON.stringify(value)}.`,
    );
  };

  const Date_ = new GraphQLScalarType<string, string>({
    name: 'Date',
    description: 'A calendar date, YYYY-MM-DD.',
    serialize: (value) => {
      if (value instanceof Date) return value.toISOString().slice(0, 10);
      if (typeof value === 'string' && isCalendarDate(value)) return value;
      throw new TypeError(`Date cannot represent ${String(value)}`);
    },
    parseValue: parseDate,
    parseLiteral: (ast) => parseDate(literal(ast)),
  });

  const DateTime = new GraphQLScalarType<Date, string>({
    name: 'DateTime',
    description: 'An instant in time, ISO 8601 in UTC.',
    serialize: (value) => {
      const date =
        value instanceof Date ? value : typeof value === 'string' ? parseInstant(value) : undefined;
      if (!date || !isValidInstant(date)) throw new TypeError(`DateTime cannot represent ${String(value)}`);
      return date.toISOString();
    },
    parseValue: parseDateTime,
    parseLiteral: (ast) => parseDateTime(literal(ast)),
  });

  return { Date: Date_, DateTime };
}
