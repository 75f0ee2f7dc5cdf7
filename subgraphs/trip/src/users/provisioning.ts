import { LRUCache } from 'lru-cache';
import type { Identity, Logger } from '@traveloure/platform';
import type { TripCaches } from '../cache.ts';
import type { TripConfig } from '../config.ts';
import type { RegionValue } from '../db/database.ts';
import { assignRegion, provisionUser, recordRegion } from '../db/users.repository.ts';
import { sameDatabase, type TripRegions } from '../regions/regions.ts';

/**
 * What provisioning needs, named here rather than taken from the context, which calls it: the
 * context module imports this one, so this one does not import it back.
 */
export interface ProvisioningDeps {
  regions: TripRegions;
  config: Pick<TripConfig, 'TRIP_DEFAULT_REGION'>;
  logger: Logger;
  caches: Pick<TripCaches, 'invalidateUser'>;
  /** Claims provisioned recently by this process (see recentlyProvisioned). */
  provisioned?: LRUCache<string, ProvisionedClaims>;
}

/** The claims last provisioned for a user, and the region they put the user in. */
export interface ProvisionedClaims {
  claims: string;
  region: RegionValue;
}

/**
 * Users whose current claims this process provisioned within the last minute, so a signed-in
 * caller's requests do not each pay the upsert: only new users and changed claims reach the
 * database. A minute bounds how long a row removed behind our back stays unnoticed.
 */
export function recentlyProvisioned(): LRUCache<string, ProvisionedClaims> {
  return new LRUCache<string, ProvisionedClaims>({ max: 50_000, ttl: 60_000 });
}

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
  deps: ProvisioningDeps,
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
