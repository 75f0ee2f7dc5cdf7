/**
 * `npm run -w @traveloure/ai places:import -- file.csv [more.csv ...]`: validates every file
 * completely, then upserts all their places (by destination and name) in one transaction into
 * the database the ai service uses (DATABASE_URL, or the embedded PGlite).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Kysely } from 'kysely';
import {
  closeEmbeddedPGlite,
  createLogger,
  createServiceDatabases,
  loadConfig,
  migrateSchema,
} from '@traveloure/platform';
import { aiConfigSchema } from '../config.ts';
import type { Database } from '../db/database.ts';
import { migrations } from '../db/migrations/index.ts';
import { parsePlacesCsv, PlaceImportError } from '../db/places-csv.ts';
import { upsertPlaces } from '../db/places.repository.ts';

const files = process.argv.slice(2).filter((argument) => argument !== '--');
if (files.length === 0) {
  console.error('usage: npm run -w @traveloure/ai places:import -- file.csv [more.csv ...]');
  process.exit(2);
}

// npm runs workspace scripts in the workspace folder; paths are relative to where it was called.
const base = process.env.INIT_CWD ?? process.cwd();
let places;
try {
  // A place in several files: the last file's row wins (each file is checked for repeats itself).
  const byKey = new Map(
    files
      .flatMap((file) => parsePlacesCsv(readFileSync(resolve(base, file), 'utf8')))
      .map((place) => [`${place.destination_code}\u0000${place.name}`, place] as const),
  );
  places = [...byKey.values()];
} catch (error) {
  console.error(error instanceof PlaceImportError || error instanceof Error ? error.message : error);
  process.exit(1);
}

const config = loadConfig(aiConfigSchema);
const logger = createLogger('ai', { level: config.LOG_LEVEL });
const databases = await createServiceDatabases<Database>('ai', config);
try {
  await migrateSchema(databases.primary.db as Kysely<any>, 'ai', migrations, logger);
  const written = await databases.primary.db.transaction().execute((trx) => upsertPlaces(trx, places));
  const cities = new Set(places.map((place) => place.destination_code));
  console.log(`imported ${written} places for ${cities.size} destinations`);
} finally {
  await databases.primary.close();
  await closeEmbeddedPGlite();
}
