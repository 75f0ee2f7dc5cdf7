import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ServiceRuntime } from '@traveloure/platform';
import type { AiConfig } from '../../config.ts';
import type { Database } from '../database.ts';
import { upsertExperts } from '../experts.repository.ts';
import { parsePlacesCsv } from '../places-csv.ts';
import { upsertPlaces } from '../places.repository.ts';
import { seedExperts } from './experts.ts';

export const seedPlacesFile = new URL('./places.csv', import.meta.url);

/** Idempotent: places and experts are upserted by their natural keys on every start. */
/** Places always (the planner's reference data); the demo experts unless `demo` is false. */
export async function seedAiData(db: Kysely<Database>, logger: Logger, options: { demo?: boolean } = {}) {
  const places = parsePlacesCsv(readFileSync(seedPlacesFile, 'utf8'));
  const written = await upsertPlaces(db, places);
  const experts = options.demo === false ? [] : seedExperts;
  if (experts.length) await upsertExperts(db, experts);
  logger.info({ places: written, experts: experts.length }, 'ai seed loaded');
}

/**
 * The service's seed step: ServiceDefinition.seed, and what `npm run seed` loads without the
 * rest of the service.
 */
export function seed(runtime: Pick<ServiceRuntime<AiConfig>, 'db' | 'logger' | 'config'>) {
  return seedAiData(runtime.db as Kysely<Database>, runtime.logger, { demo: runtime.config.SEED_DEMO_DATA });
}
