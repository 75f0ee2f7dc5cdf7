/**
 * `npm run migrate [-- --down]`: brings every subgraph schema and the gateway's own (partner
 * keys) to their latest migration (or rolls all of them back with --down) without starting
 * servers. `npm run seed` loads the demo data.
 */
import {
  closeEmbeddedPGlite,
  createLogger,
  createServiceDatabases,
  embeddedPGlite,
  Health,
  loadConfig,
  migrateSchema,
  type ServiceRuntime,
} from '@traveloure/platform';
import { loadGatewayConfig } from '@traveloure/gateway';
import { openGatewayDatabase } from '@traveloure/gateway/edge/index';
import { loadServiceDefinitions } from './services.ts';

export async function migrateAll(options: { down?: boolean; seed?: boolean } = {}) {
  const definitions = await loadServiceDefinitions();
  let sharedPGlite;
  const migrateGateway = async () => {
    const config = loadGatewayConfig();
    const logger = createLogger('gateway', { level: config.LOG_LEVEL });
    sharedPGlite ??= config.DATABASE_URL ? undefined : await embeddedPGlite(config.PGLITE_DATA_DIR);
    const database = await openGatewayDatabase(config, logger, {
      pglite: sharedPGlite,
      direction: options.down ? 'down-all' : 'latest',
    });
    await database.close();
  };
  // The gateway schema goes up last and comes down first, mirroring the subgraphs' order.
  if (options.down) await migrateGateway();
  for (const definition of options.down ? [...definitions].reverse() : definitions) {
    const config = loadConfig(definition.configSchema);
    const logger = createLogger(definition.name, { level: config.LOG_LEVEL });
    sharedPGlite ??= config.DATABASE_URL ? undefined : await embeddedPGlite(config.PGLITE_DATA_DIR);
    const databases = await createServiceDatabases(definition.name, config, { pglite: sharedPGlite });
    try {
      await migrateSchema(
        databases.primary.db,
        definition.schema,
        definition.migrations,
        logger,
        options.down ? 'down-all' : 'latest',
      );
      if (options.seed && definition.seed) {
        const runtime: ServiceRuntime<any> = {
          name: definition.name,
          config,
          logger,
          health: new Health(config.SERVICE_VERSION),
          db: databases.primary.db,
          readDb: databases.read.db,
          embedded: !config.DATABASE_URL,
        };
        await definition.seed(runtime);
        logger.info(`${definition.name}: seed loaded`);
      }
    } finally {
      if (databases.read !== databases.primary) await databases.read.close();
      await databases.primary.close();
    }
  }
  if (!options.down) await migrateGateway();
  await closeEmbeddedPGlite();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await migrateAll({ down: process.argv.includes('--down') });
}
