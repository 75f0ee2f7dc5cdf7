import { badUserInput } from './errors.ts';
import { isUuid } from './policies/ids.ts';

/** Relay connection helpers: opaque keyset cursors and bounded page sizes. */
export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: number | (() => Promise<number>);
}

export const MAX_PAGE_SIZE = 100;

/** Far longer than any cursor we make; anything longer is refused before it is decoded. */
const MAX_CURSOR_LENGTH = 512;

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor; anything else is the caller's mistake. */
export function decodeCursor(cursor: string, arity: number, argument = 'after'): (string | number)[] {
  if (typeof cursor === 'string' && cursor.length <= MAX_CURSOR_LENGTH) {
    try {
      const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
      if (
        Array.isArray(values) &&
        values.length === arity &&
        values.every((value) => typeof value === 'string' || typeof value === 'number')
      ) {
        return values;
      }
    } catch {
      // fall through to the error below
    }
  }
  throw invalidCursor(argument);
}

const invalidCursor = (argument: string) => badUserInput(`"${argument}" is not a valid cursor.`, [argument]);

/**
 * An opaque cursor with a typed payload. `decode` gives back only what `encode` could have made:
 * a cursor that does not decode, or decodes to values `fromValues` refuses, is BAD_USER_INPUT
 * naming the argument, so a forged cursor never reaches SQL (where a bad cast would be an
 * internal error). A few lines of our own rather than a library: the format is base64url JSON,
 * and what matters, the validation, is specific to each payload.
 */
export interface CursorCodec<T> {
  encode(payload: T): string;
  decode(cursor: string, argument?: string): T;
}

export function createCursorCodec<T>(shape: {
  /** How many values the cursor holds. */
  arity: number;
  /** The values written into the cursor, in order. */
  toValues: (payload: T) => readonly (string | number)[];
  /** The payload back from the cursor's values, or undefined when they cannot be one of ours. */
  fromValues: (values: readonly (string | number)[]) => T | undefined;
}): CursorCodec<T> {
  return {
    encode: (payload) => encodeCursor(shape.toValues(payload)),
    decode: (cursor, argument = 'after') => {
      const payload = shape.fromValues(decodeCursor(cursor, shape.arity, argument));
      if (payload === undefined) throw invalidCursor(argument);
      return payload;
    },
  };
}

/** A keyset position: the instant the page is ordered by, then the row's uuid as tie-breaker. */
export interface KeysetPosition {
  at: string;
  id: string;
}

/*
 * The instant as we write it into cursors: ISO 8601 in UTC (`2026-11-26T10:00:00.123456Z`) or
 * as PostgreSQL prints a timestamptz (`2026-11-26 10:00:00.123456+00`), up to microseconds (a
 * millisecond cursor would sit before its own row and repeat it on the next page). Only what
 * PostgreSQL's ::timestamptz takes: years 0001 to 9999 (it has no year 0), real calendar days,
 * offsets within ±15:59.
 */
const keysetInstant =
  /^(\d{4})-(\d{2})-(\d{2})[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-](0\d|1[0-5])(:[0-5]\d)?)$/;

function isKeysetInstant(value: unknown): value is string {
  const match = typeof value === 'string' ? keysetInstant.exec(value) : null;
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** The cursor of every keyset-paginated connection: `(at, id)` after the last row of a page. */
export const keysetCursor: CursorCodec<KeysetPosition> = createCursorCodec({
  arity: 2,
  toValues: (position) => [position.at, position.id],
  fromValues: ([at, id]) => (isKeysetInstant(at) && isUuid(id) ? { at, id } : undefined),
});

export function pageSize(
  first: number | null | undefined,
  fallback = 20,
  max = MAX_PAGE_SIZE,
  argument = 'first',
): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw badUserInput(`"${argument}" must be between 1 and ${max}.`, [argument]);
  }
  return size;
}

/**
 * Builds a connection from rows fetched with `limit size + 1`: the extra row only tells
 * whether there is a next page.
 */
export function toConnection<T>(
  rows: T[],
  size: number,
  cursorOf: (row: T) => string,
  totalCount: Connection<T>['totalCount'],
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
