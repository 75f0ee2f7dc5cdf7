/** `npm run seed`: migrations, then the idempotent demo data of every subgraph. */
import type { ServiceRuntime } from '@traveloure/platform';
import { migrateAll, preflight, runCommand } from './migrate.ts';

await runCommand(async () => {
  // The seeds live with the services, which take seconds to load: settings and database are
  // checked (and a busy embedded folder refused) first.
  await preflight();
  const { loadServiceDefinitions } = await import('./services.ts');
  const { Health } = await import('@traveloure/platform/health');
  const definitions = new Map(
    (await loadServiceDefinitions()).map((definition) => [definition.name, definition]),
  );
  await migrateAll({
    seedStep: async (name, config, databases, logger) => {
      const definition = definitions.get(name as never);
      if (!definition?.seed) return;
      const serviceLogger = logger.child({ subgraph: name });
      const runtime: ServiceRuntime<any> = {
        name: definition.name,
        config,
        logger: serviceLogger,
        health: new Health(config.SERVICE_VERSION),
        db: databases.primary.db,
        readDb: databases.read.db,
        regional: databases.regional,
        embedded: !config.DATABASE_URL,
      };
      await definition.seed(runtime);
      serviceLogger.info(`${name}: seed loaded`);
    },
  });
});
