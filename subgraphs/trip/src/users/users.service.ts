import { isSelfOrAdmin, notFound, type Identity, type Viewer } from '@traveloure/platform';
import type { ContextDependencies, TripContext } from '../context.ts';
import type { RegionValue, UserRow } from '../db/database.ts';
import { assignRegion, provisionUser, recordRegion } from '../db/users.repository.ts';
import { sameDatabase } from '../regions/regions.ts';
import type { TripConnectionModel } from '../models.ts';
import { emptyTripConnection, listTrips } from '../trips/trips.service.ts';

/**
 * Provisions a signed-in caller from their claims, on their first request and whenever their
 * claims change, so every trip's owner exists as a user row, in their region's database.
 * Returns the caller's region, which routes their reads and writes. Claims this process
 * provisioned recently (`deps.provisioned`) skip the upsert.
 *
 * With regions in databases of their own, the directory (home database) fixes the region a
 * user's data is in when they are first seen. A later region claim is followed only when it names
 * the same database; one naming another database would strand the user's trips, so it is logged
 * and the user stays where their data is (moving a user between databases is an operator's job).
 */
export async function provisionSignedInUser(
  deps: ContextDependencies,
  user: NonNullable<Identity['user']>,
): Promise<RegionValue> {
  const claims = JSON.stringify([user.email, user.name, user.region]);
  const known = deps.provisioned?.get(user.id);
  if (known?.claims === claims) return known.region;
  const claimed = user.region as RegionValue | undefined;
  const { regions } = deps;
  let region: RegionValue = claimed ?? deps.config.TRIP_DEFAULT_REGION;
  if (!regions.single) {
    region = await assignRegion(regions.home, user.id, region);
    if (claimed && claimed !== region) {
      if (sameDatabase(regions, claimed, region)) {
        await recordRegion(regions.home, user.id, claimed);
        region = claimed;
      } else {
        deps.logger.warn(
          { userId: user.id, region, claimedRegion: claimed },
          'region claim names another database than the one holding this user; the user stays',
        );
      }
    }
  }
  const provisioned = await provisionUser(
    regions.of(region),
    { id: user.id, email: user.email, name: user.name, region: regions.single ? claimed : region },
    { region: deps.config.TRIP_DEFAULT_REGION },
    { directory: regions.single },
  );
  if (provisioned) {
    region = provisioned.user.region;
    deps.logger.info({ userId: user.id, event: provisioned.event }, 'user provisioned');
    // The cached row (this replica's and, through the tag, every other's) is out of date.
    await deps.caches.invalidateUser(user.id);
  }
  deps.provisioned?.set(user.id, { claims, region });
  return region;
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
  return canSeePrivate(context, user) ? listTrips(context, user, args) : emptyTripConnection();
}
