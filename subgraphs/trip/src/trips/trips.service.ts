import {
  isSelfOrAdmin,
  keysetCursor,
  notFound,
  pageSize,
  parseInput,
  rejectInput,
  toConnection,
  userError,
  type Viewer,
} from '@traveloure/platform';
import type { CreateTripInput, UpdateTripInput } from '../__generated__/resolvers-types.ts';
import type { TripContext } from '../context.ts';
import type { RegionValue, TripRow, TripUpdate, UserRow } from '../db/database.ts';
import { countItemsOutside } from '../db/items.repository.ts';
import {
  countAllTrips,
  countTripsForUser,
  listAllTripsPage,
  deleteTrip as deleteTripRow,
  insertTrip,
  listTripsForUser,
  updateTrip as updateTripRow,
  type TripPageRow,
} from '../db/trips.repository.ts';
import { normalizeDestinationCode } from '../destinations/destination-code.ts';
import type { TripConnectionModel } from '../models.ts';
import { notFoundError, refreshTrip } from './trip-changes.ts';
import { tripWindow } from './trip-dates.ts';
import { writeTripEvent } from './trip-events.ts';
import { tripFieldsSchema, type TripFields } from './trips.input.ts';

/** The caller's trip (or any, for an admin): someone else's answers exactly like a missing one. */
export async function findTrip(context: TripContext, id: string): Promise<TripRow> {
  // The loader sees only the viewer's trips.
  const found = await context.loaders.tripById.load(id);
  if (!found) throw notFound('Trip', id);
  return found;
}

/** Every problem with the trip these fields describe, or the destination they name. */
async function checkTrip(context: TripContext, fields: TripFields) {
  const destination = await context.loaders.destinationByCode.load(fields.destinationCode);
  const checked = parseInput(tripFieldsSchema({ known: destination !== null }), fields, ['input']);
  return { fields: checked, destination: destination! };
}

export async function createTrip(
  context: TripContext,
  viewer: Viewer,
  input: CreateTripInput,
): Promise<TripRow> {
  const { fields } = await checkTrip(context, {
    title: input.title,
    destinationCode: normalizeDestinationCode(input.destinationCode),
    startDate: input.startDate,
    endDate: input.endDate,
    travelers: input.travelers ?? 1,
  });
  // The owner is always the caller: the input has no owner field, so a trip cannot be planted
  // on someone else. The trip lives in the owner's region partition.
  const owner = await context.loaders.userById.load(viewer.id);
  if (!owner) throw new Error(`signed-in user ${viewer.id} was not provisioned`);
  // In the owner's region's database, with its outbox event: they commit together.
  const trip = await context.services.regions
    .of(owner.region)
    .transaction()
    .execute(async (trx) => {
      const row = await insertTrip(trx, {
        region: owner.region,
        user_id: owner.id,
        title: fields.title,
        destination_code: fields.destinationCode,
        start_date: fields.startDate,
        end_date: fields.endDate,
        travelers: fields.travelers,
        budget: input.budget ?? 'MIDRANGE',
        pace: input.pace ?? 'MODERATE',
      });
      await writeTripEvent(trx, 'trip.created', row);
      return row;
    });
  context.loaders.tripById.prime(trip.id, trip);
  return trip;
}

/**
 * Applies the changes an update names (null leaves a field as it is), after checking the whole
 * trip they would leave. Moving the dates or the destination must keep every item inside it.
 */
export async function updateTrip(context: TripContext, id: string, input: UpdateTripInput): Promise<TripRow> {
  const current = await context.loaders.tripById.load(id);
  if (!current) rejectInput(notFoundError(['id'], 'Trip'));

  const patch: TripUpdate = {};
  if (input.title != null) patch.title = input.title.trim();
  if (input.destinationCode != null) patch.destination_code = normalizeDestinationCode(input.destinationCode);
  if (input.startDate != null) patch.start_date = input.startDate;
  if (input.endDate != null) patch.end_date = input.endDate;
  if (input.travelers != null) patch.travelers = input.travelers;
  if (input.budget != null) patch.budget = input.budget;
  if (input.pace != null) patch.pace = input.pace;
  if (Object.keys(patch).length === 0) return current;

  const { destination } = await checkTrip(context, {
    title: input.title ?? current.title,
    destinationCode: patch.destination_code ?? current.destination_code,
    startDate: patch.start_date ?? current.start_date,
    endDate: patch.end_date ?? current.end_date,
    travelers: patch.travelers ?? current.travelers,
  });
  const itemsMayNotFit =
    patch.start_date !== undefined || patch.end_date !== undefined || patch.destination_code !== undefined;
  const trip = await context.services.regions
    .of(current.region)
    .transaction()
    .execute(async (trx) => {
      // Updating first takes the trip's row lock, so no item can be added between the check and the commit.
      const row = await updateTripRow(trx, { id: current.id, region: current.region }, patch);
      if (!row) rejectInput(notFoundError(['id'], 'Trip'));
      if (itemsMayNotFit) {
        const outside = await countItemsOutside(
          trx,
          row.id,
          tripWindow(row.start_date, row.end_date, destination.timezone),
        );
        if (outside > 0) {
          const field =
            patch.start_date !== undefined
              ? 'startDate'
              : patch.end_date !== undefined
                ? 'endDate'
                : 'destinationCode';
          rejectInput(
            userError(
              ['input', field],
              `${outside} itinerary item(s) would fall outside the trip; move or remove them first.`,
              'ITEMS_OUTSIDE_TRIP',
            ),
          );
        }
      }
      await writeTripEvent(trx, 'trip.updated', row);
      return row;
    });
  await refreshTrip(context, trip);
  return trip;
}

/** Deletes the trip with its items; answers the deleted trip's id. */
export async function deleteTrip(context: TripContext, id: string): Promise<string> {
  const trip = await context.loaders.tripById.load(id);
  if (!trip) rejectInput(notFoundError(['id'], 'Trip'));
  await context.services.regions
    .of(trip.region)
    .transaction()
    .execute(async (trx) => {
      // Items go with the trip (on delete cascade).
      if (!(await deleteTripRow(trx, { id: trip.id, region: trip.region }))) {
        rejectInput(notFoundError(['id'], 'Trip'));
      }
      await writeTripEvent(trx, 'trip.deleted', trip);
    });
  context.loaders.tripById.clear(trip.id).prime(trip.id, null);
  context.loaders.itemsByTripId.clear(trip.id);
  await context.services.caches.invalidateTrip(trip.id);
  return trip.id;
}

const emptyTripConnection = (): TripConnectionModel => ({
  edges: [],
  pageInfo: { hasNextPage: false, endCursor: null },
  totalCount: 0,
});

/** A user's trips, newest first, keyset-paginated; totalCount is counted only when asked for. */
export async function listTrips(
  context: TripContext,
  user: { id: string; region: RegionValue },
  args: { first?: number | null; after?: string | null },
): Promise<TripConnectionModel> {
  const size = pageSize(args.first);
  // A forged cursor is refused here, before it reaches the ::timestamptz / ::uuid casts.
  const position = args.after ? keysetCursor.decode(args.after) : undefined;
  const after = position ? { createdAt: position.at, id: position.id } : undefined;
  // The user's trips are all in their region's database.
  const db = context.services.regions.of(user.region);
  const rows = await listTripsForUser(db, user.id, { limit: size + 1, after });
  for (const row of rows) context.loaders.tripById.prime(row.id, row);
  return toConnection<TripPageRow>(
    rows,
    size,
    (row) => keysetCursor.encode({ at: row.cursor_at, id: row.id }),
    () => countTripsForUser(db, user.id),
  );
}

/** A user's trips (`User.trips`) for the user themself and admins; for anyone else, none. */
export async function visibleTrips(
  context: TripContext,
  user: UserRow,
  args: { first?: number | null; after?: string | null },
): Promise<TripConnectionModel> {
  return isSelfOrAdmin(context.viewer, user.id) ? listTrips(context, user, args) : emptyTripConnection();
}

/** The signed-in caller's trips (`Query.trips`), in their region's database. */
export async function listOwnTrips(
  context: TripContext,
  viewer: Viewer,
  args: { first?: number | null; after?: string | null },
): Promise<TripConnectionModel> {
  // The context provisioned the caller and learnt their region before any resolver ran.
  const region = context.viewerRegion ?? context.services.config.TRIP_DEFAULT_REGION;
  return listTrips(context, { id: viewer.id, region }, args);
}

/**
 * Every user's trips in every region, newest first (admins): each region's database answers its
 * first `size + 1` after the cursor, and the pages are merged in the same (created_at, id) order,
 * so the cursor works across regions exactly as within one.
 */
export async function listAllTrips(
  context: TripContext,
  args: { first?: number | null; after?: string | null },
): Promise<TripConnectionModel> {
  const size = pageSize(args.first);
  const position = args.after ? keysetCursor.decode(args.after) : undefined;
  const after = position ? { createdAt: position.at, id: position.id } : undefined;
  const pages = await Promise.all(
    context.services.regions.databases.map((database) =>
      listAllTripsPage(database.db, { limit: size + 1, after }),
    ),
  );
  const rows = pages
    .flat()
    .sort((a, b) => (a.sort_key === b.sort_key ? (a.id < b.id ? 1 : -1) : a.sort_key < b.sort_key ? 1 : -1))
    .slice(0, size + 1);
  for (const row of rows) context.loaders.tripById.prime(row.id, row);
  return toConnection<TripPageRow>(
    rows,
    size,
    (row) => keysetCursor.encode({ at: row.cursor_at, id: row.id }),
    async () =>
      (
        await Promise.all(context.services.regions.databases.map((database) => countAllTrips(database.db)))
      ).reduce((sum, count) => sum + count, 0),
  );
}
