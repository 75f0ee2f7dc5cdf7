import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Identity, Logger } from '@traveloure/platform';
import type { TripCaches } from '../cache.ts';
import type { TripConfig } from '../config.ts';
import type { Database, RegionValue } from '../db/database.ts';
import { provisionUser } from '../db/users.repository.ts';

/**
 * What provisioning needs, named here rather than taken from the context, which calls it: the
 * context module imports this one, so this one does not import it back.
 */
export interface ProvisioningDeps {
  db: Kysely<Database>;
  config: Pick<TripConfig, 'TRIP_DEFAULT_REGION'>;
  logger: Logger;
  caches: Pick<TripCaches, 'invalidateUser'>;
  /** Claims provisioned recently by this process (see recentlyProvisioned). */
  provisioned?: LRUCache<string, string>;
}

/**
 * Users whose current claims this process provisioned within the last minute, so a signed-in
 * caller's requests do not each pay the upsert: only new users and changed claims reach the
 * database. A minute bounds how long a row removed behind our back stays unnoticed.
 */
export function recentlyProvisioned(): LRUCache<string, string> {
  return new LRUCache<string, string>({ max: 50_000, ttl: 60_000 });
}

/**
 * Provisions a signed-in caller from their claims, on their first request and whenever their
 * claims change, so every trip's owner exists as a user row. Claims this process provisioned
 * recently (`deps.provisioned`) skip the upsert.
 */
export async function provisionSignedInUser(
  deps: ProvisioningDeps,
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
