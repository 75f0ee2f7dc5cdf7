import { z } from 'zod';
// Narrow imports: npm start checks every service's config before it loads any service.
import { baseConfigShape, env } from '@traveloure/platform/config';
import { eventsConfigShape } from '@traveloure/platform/events/config';
import { regions } from '@traveloure/platform/identity';

export const tripConfigSchema = z.object({
  ...baseConfigShape,
  /** Outbox relay and event queue settings (docs/notification.md). */
  ...eventsConfigShape,
  /** Port of the trip subgraph when it runs alone. */
  TRIP_PORT: env.port(4001),
  /**
   * A region's own PostgreSQL (data residency): its users, trips, items and outbox live only
   * there. Unset: the region is in DATABASE_URL's database. Ignored in embedded mode.
   */
  DATABASE_URL_US_EAST: z.url().optional(),
  DATABASE_URL_EU_WEST: z.url().optional(),
  DATABASE_URL_AP_SOUTH: z.url().optional(),
  /** Region for users whose identity carries no region claim. */
  TRIP_DEFAULT_REGION: z.enum(regions).default('US_EAST'),
  /** How often the destination-popularity view is refreshed; 0 turns the background refresh off. */
  TRIP_POPULARITY_REFRESH_MS: env.int(300_000, 0),
});

export type TripConfig = z.infer<typeof tripConfigSchema>;
