import { badUserInput } from './errors.ts';

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

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor; anything else is the caller's mistake. */
export function decodeCursor(cursor: string, arity: number, argument = 'after'): (string | number)[] {
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
  throw badUserInput(`"${argument}" is not a valid cursor.`, [argument]);
}

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
