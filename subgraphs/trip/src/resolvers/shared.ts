import {
  badUserInput,
  decodeCursor,
  isCalendarDate,
  encodeCursor,
  pageSize,
  toConnection,
  unauthenticated,
  userError,
  type UserError,
} from '@traveloure/platform';
import type { Context, Viewer } from '../context.ts';
import { countTripsForUser, isUuid, listTripsForUser, type TripPageRow } from '../db/trips.repository.ts';
import type { TripConnectionModel } from '../models.ts';

export function requireViewer(context: Context): Viewer {
  if (!context.viewer) throw unauthenticated();
  return context.viewer;
}

/** Owner or admin: the only people who see a user's private fields and trips. */
export function canSeePrivate(context: Context, userId: string): boolean {
  return context.viewer !== undefined && (context.viewer.id === userId || context.viewer.admin);
}

/** The same answer for a missing id and for someone else's: ids cannot be probed. */
export const notFoundError = (field: string[], what: string): UserError =>
  userError(field, `${what} was not found.`, 'NOT_FOUND');

export const emptyTripConnection = (): TripConnectionModel => ({
  edges: [],
  pageInfo: { hasNextPage: false, endCursor: null },
  totalCount: 0,
});

/** A user's trips, newest first, keyset-paginated; totalCount is counted only when asked for. */
export async function tripConnection(
  context: Context,
  userId: string,
  args: { first?: number | null; after?: string | null },
): Promise<TripConnectionModel> {
  const size = pageSize(args.first);
  let after: { createdAt: string; id: string } | undefined;
  if (args.after) {
    const [createdAt, id] = decodeCursor(args.after, 2);
    // A forged cursor that decodes must still not reach the ::timestamptz / ::uuid casts.
    if (!isCursorInstant(createdAt) || typeof id !== 'string' || !isUuid(id)) {
      throw badUserInput('"after" is not a valid cursor.', ['after']);
    }
    after = { createdAt, id };
  }
  const rows = await listTripsForUser(context.db, userId, { limit: size + 1, after });
  for (const row of rows) context.loaders.trips.prime(row.id, row);
  return toConnection<TripPageRow>(
    rows,
    size,
    (row) => encodeCursor([row.cursor_at, row.id]),
    () => countTripsForUser(context.db, userId),
  );
}

/** created_at as PostgreSQL prints a timestamptz, e.g. `2026-11-26 10:00:00.123456+00`. */
const cursorInstant = /^(\d{4}-\d{2}-\d{2}) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

function isCursorInstant(value: unknown): value is string {
  const match = typeof value === 'string' ? cursorInstant.exec(value) : null;
  return match !== null && isCalendarDate(match[1]!);
}

/** Rolls a transaction back while returning user errors (e.g. a check that needs a row lock). */
export class Rejected extends Error {
  constructor(public readonly userErrors: UserError[]) {
    super('rejected');
  }
}

export async function catchRejected<T>(work: () => Promise<T>): Promise<T | Rejected> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Rejected) return error;
    throw error;
  }
}
