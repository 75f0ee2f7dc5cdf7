import type { Migration } from 'kysely';
import { aiInitial } from './2026-11-26T0900-ai-initial.ts';
import { aiTripProjection } from './2026-11-27T0900-ai-trip-projection.ts';
import { processedEvents } from './2026-12-02T18-40-00-processed-events.ts';

/** In order; names never change once released. */
export const migrations: Record<string, Migration> = {
  '2026-11-26T0900-ai-initial': aiInitial,
  '2026-11-27T0900-ai-trip-projection': aiTripProjection,
  '2026-12-02T18-40-00-processed-events': processedEvents,
};
