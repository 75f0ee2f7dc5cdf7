import {
  isSelfOrAdmin,
  keysetCursor,
  pageSize,
  toConnection,
  userError,
  type UserError,
} from '@traveloure/platform';
import type { Context } from '../context.ts';
import { countTripsForUser, listTripsForUser, type TripPageRow } from '../db/trips.repository.ts';
import type { TripConnectionModel } from '../models.ts';

/** Owner or admin: the only people who see a user's private fields and trips. */
export const canSeePrivate = (context: Context, userId: string): boolean =>
  isSelfOrAdmin(context.viewer, userId);

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
  // A forged cursor is refused here, before it reaches the ::timestamptz / ::uuid casts.
  const position = args.after ? keysetCursor.decode(args.after) : undefined;
  const after = position ? { createdAt: position.at, id: position.id } : undefined;
  const rows = await listTripsForUser(context.db, userId, { limit: size + 1, after });
  for (const row of rows) context.loaders.tripById.prime(row.id, row);
  return toConnection<TripPageRow>(
    rows,
    size,
    (row) => keysetCursor.encode({ at: row.cursor_at, id: row.id }),
    () => countTripsForUser(context.db, userId),
  );
}
