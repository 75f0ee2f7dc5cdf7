import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../database.ts';
import { upsertExperts } from '../experts.repository.ts';
import { parsePlacesCsv } from '../places-csv.ts';
import { upsertPlaces } from '../places.repository.ts';
import { seedExperts } from './experts.ts';

export const seedPlacesFile = new URL('./places.csv', import.meta.url);

/** Idempotent: places and experts are upserted by their natural keys on every start. */
export async function seedAiData(db: Kysely<Database>, logger: Logger) {
  const places = parsePlacesCsv(readFileSync(seedPlacesFile, 'utf8'));
  const written = await upsertPlaces(db, places);
  await upsertExperts(db, seedExperts);
  logger.info({ places: written, experts: seedExperts.length }, 'ai seed loaded');
}
