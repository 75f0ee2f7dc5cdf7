/**
 * `npm run migrate [-- --down]`: brings every subgraph schema and the gateway's own (partner
 * keys) to their latest migration (or rolls all of them back with --down) without starting
 * servers, and says what it applied or that nothing was pending. `npm run seed` (seed.ts) also
 * loads the demo data.
 *
 * Imports are narrow on purpose (config schemas and migrations, not the services): the command
 * answers in about a second instead of loading Apollo, BullMQ and every resolver first.
 */
import type { Kysely } from 'kysely';
import { loadConfig, type BaseConfig } from '@traveloure/platform/config';
import { createLogger, type Logger } from '@traveloure/platform/logger';
import { acquireEmbeddedLock } from '@traveloure/platform/embedded-lock';
import { loadGatewayConfig } from '@traveloure/gateway/config';
import { gatewayMigrations } from '@traveloure/gateway/edge/migrations/index';
import { checkEverySetting } from './check-settings.ts';
import { loadServiceManifests } from './services.ts';

export interface SchemaMigration {
  schema: string;
  /** Names of the migrations run now (rolled back, with --down), in order. */
  applied: string[];
  /** How many the schema has in all. */
  known: number;
}

export interface MigrateOptions {
  down?: boolean;
  /** Also run each service's idempotent seed (npm run seed). */
  seed?: boolean;
  logger?: Logger;
}

type SeedStep = (
  name: string,
  config: BaseConfig,
  databases: {
    primary: { db: Kysely<any> };
    read: { db: Kysely<any> };
    regional?: import('@traveloure/platform/regional-databases').RegionalDatabases<any>;
  },
  logger: Logger,
) => Promise<void>;

/**
 * Before any schema moves: every service's settings (all problems at once), then the database:
 * PostgreSQL reachable (DATABASE_URL named when not), or the embedded folder free and now held
 * by this process (refused while `npm start` has it open).
 */
export async function preflight() {
  const manifests = await loadServiceManifests();
  checkEverySetting(manifests);
  const gatewayConfig = loadGatewayConfig();
  // Loaded after the settings are known good, and for PGlite after the folder is known free.
  if (!gatewayConfig.DATABASE_URL) acquireEmbeddedLock(gatewayConfig.PGLITE_DATA_DIR);
  const { checkDatabaseReachable } = await import('@traveloure/platform/db');
  if (gatewayConfig.DATABASE_URL) {
    await checkDatabaseReachable(gatewayConfig.DATABASE_URL, {
      connectTimeoutMs: gatewayConfig.PG_CONNECT_TIMEOUT_MS,
    });
  }
  return { manifests, gatewayConfig };
}

/** Every schema, the gateway's too; returns what each applied. */
export async function migrateAll(
  options: MigrateOptions & { seedStep?: SeedStep } = {},
): Promise<SchemaMigration[]> {
  const { manifests, gatewayConfig } = await preflight();
  const { closeEmbeddedPGlite, createServiceDatabases, embeddedPGlite, migrateSchema } =
    await import('@traveloure/platform/db');
  const { createRegionalDatabases, regionalDatabaseVariable } =
    await import('@traveloure/platform/regional-databases');
  const { regions } = await import('@traveloure/platform/identity');
  const logger = options.logger ?? createLogger('migrate', { level: gatewayConfig.LOG_LEVEL });
  const direction = options.down ? 'down-all' : 'latest';
  const steps = [
    ...(await Promise.all(
      manifests.map(async (manifest) => ({
        name: manifest.name as string,
        schema: manifest.schema,
        migrations: await manifest.loadMigrations(),
        config: loadConfig(manifest.configSchema) as BaseConfig,
      })),
    )),
    // The gateway schema goes up last and comes down first, mirroring the subgraphs' order.
    {
      name: 'gateway',
      schema: 'gateway',
      migrations: gatewayMigrations,
      config: gatewayConfig as BaseConfig,
    },
  ];
  if (options.down) steps.reverse();

  const done: SchemaMigration[] = [];
  try {
    for (const step of steps) {
      const pglite = step.config.DATABASE_URL ? undefined : await embeddedPGlite(step.config.PGLITE_DATA_DIR);
      const databases = await createServiceDatabases(step.name, step.config, { pglite });
      // A region with a database of its own (DATABASE_URL_<REGION>, in the settings of the
      // services that keep regional data) has the same schema there.
      const settings = step.config as unknown as Record<string, string | undefined>;
      const regional = await createRegionalDatabases({
        service: step.name,
        regions,
        home: { db: databases.primary.db, url: step.config.DATABASE_URL },
        urls: Object.fromEntries(
          regions.map((region) => [region, settings[regionalDatabaseVariable(region)]]),
        ),
      });
      try {
        for (const database of regional.databases) {
          if (database.home) continue;
          await migrateSchema(database.db, step.schema, step.migrations, undefined, direction);
        }
        const results = await migrateSchema(
          databases.primary.db,
          step.schema,
          step.migrations,
          // No logger: reportMigrations says what ran, once per schema.
          undefined,
          direction,
        );
        done.push({
          schema: step.schema,
          applied: results
            .filter((result) => result.status === 'Success')
            .map((result) => result.migrationName),
          known: Object.keys(step.migrations).length,
        });
        if (options.seedStep && !options.down)
          await options.seedStep(step.name, step.config, { ...databases, regional }, logger);
      } finally {
        await regional.close();
        if (databases.read !== databases.primary) await databases.read.close();
        await databases.primary.close();
      }
    }
  } finally {
    await closeEmbeddedPGlite();
  }
  reportMigrations(done, logger, options.down ?? false);
  return done;
}

/** One line per schema that changed, then one for all: what ran, or that nothing was pending. */
function reportMigrations(done: SchemaMigration[], logger: Logger, down: boolean) {
  const changed = done.filter((schema) => schema.applied.length);
  const verb = down ? 'rolled back' : 'applied';
  for (const schema of changed) {
    logger.info(
      { schema: schema.schema, [verb.replace(' ', '')]: schema.applied },
      `${schema.schema}: ${verb} ${schema.applied.length} migration${schema.applied.length === 1 ? '' : 's'} (${schema.applied.join(', ')})`,
    );
  }
  const count = changed.reduce((sum, schema) => sum + schema.applied.length, 0);
  const schemas = done.map((schema) => schema.schema).join(', ');
  if (!count) {
    logger.info(
      { schemas: done.map((schema) => schema.schema) },
      down
        ? `nothing to roll back: no migration is applied in ${schemas}`
        : `nothing pending: ${schemas} are up to date (${done.reduce((sum, schema) => sum + schema.known, 0)} migrations)`,
    );
  } else {
    logger.info(
      { migrations: count },
      `${verb} ${count} migration${count === 1 ? '' : 's'} in ${changed.map((schema) => schema.schema).join(', ')}`,
    );
  }
}

/** Prints what went wrong without a stack when it is a setting or a busy folder, and exits. */
export async function runCommand(main: () => Promise<unknown>) {
  try {
    await main();
  } catch (error) {
    const { explainStartupError } = await import('./startup-errors.ts');
    const explained = explainStartupError(error);
    if (explained) console.error(explained);
    else console.error(error);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runCommand(() => migrateAll({ down: process.argv.includes('--down') }));
}
