import { isSelfOrAdmin, notFound, type Identity, type Viewer } from '@traveloure/platform';
import type { ContextDependencies, TripContext } from '../context.ts';
import type { RegionValue, UserRow } from '../db/database.ts';
import { provisionUser } from '../db/users.repository.ts';
import type { TripConnectionModel } from '../models.ts';
import { emptyTripConnection, listTrips } from '../trips/trips.service.ts';

/**
 * Provisions a signed-in caller from their claims, on their first request and whenever their
 * claims change, so every trip's owner exists as a user row. Claims this process provisioned
 * recently (`deps.provisioned`) skip the upsert.
 */
export async function provisionSignedInUser(
  deps: ContextDependencies,
  user: NonNullable<Identity['user']>,
): Promise<void> {
  const claims = JSON.stringify([user.email, user.name, user.region]);
  if (deps.provisioned?.get(user.id) === claims) return;
  const provisioned = await provisionUser(
    deps.db,
    { id: user.id, email: user.email, name: user.name, region: user.region as RegionValue | undefined },
    { region: deps.config.TRIP_DEFAULT_REGION },
  );
  if (provisioned) {
    deps.logger.info({ userId: user.id, event: provisioned.event }, 'user provisioned');
    // The cached row (this replica's and, through the tag, every other's) is out of date.
    await deps.caches.invalidateUser(user.id);
  }
  deps.provisioned?.set(user.id, claims);
}

export async function findSignedInUser(context: TripContext, viewer: Viewer): Promise<UserRow> {
  const user = await context.loaders.userById.load(viewer.id);
  // The context provisioned this user before any resolver ran.
  if (!user) throw new Error(`signed-in user ${viewer.id} was not provisioned`);
  return user;
}

export async function findUser(context: TripContext, id: string): Promise<UserRow> {
  const found = await context.loaders.userById.load(id);
  if (!found) throw notFound('User', id);
  return found;
}

/** Owner or admin: the only people who see a user's private fields and trips. */
const canSeePrivate = (context: TripContext, user: UserRow): boolean =>
  isSelfOrAdmin(context.viewer, user.id);

export const visibleEmail = (context: TripContext, user: UserRow): string | null =>
  canSeePrivate(context, user) ? user.email : null;

/** The user's trips for the user themself and admins; for anyone else, none. */
export async function visibleTrips(
  context: TripContext,
  user: UserRow,
  args: { first?: number | null; after?: string | null },
): Promise<TripConnectionModel> {
  return canSeePrivate(context, user) ? listTrips(context, user.id, args) : emptyTripConnection();
}
