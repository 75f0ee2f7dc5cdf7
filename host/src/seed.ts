/** `npm run seed`: migrations, then the idempotent demo data of every subgraph. */
import { migrateAll, runCommand } from './migrate.ts';
import { loadServiceManifests } from './services.ts';

await runCommand(async () => {
  // Each seed is loaded alone (src/db/seed), not with its service: Apollo, BullMQ and every
  // resolver would add seconds to a command that only writes rows.
  const seeds = new Map(
    await Promise.all(
      (await loadServiceManifests()).map(
        async (manifest) => [manifest.name, await manifest.loadSeed()] as const,
      ),
    ),
  );
  await migrateAll({
    seedStep: async (name, config, databases, logger) => {
      const seed = seeds.get(name);
      if (!seed) return;
      const serviceLogger = logger.child({ subgraph: name });
      await seed({ config, logger: serviceLogger, db: databases.primary.db, regional: databases.regional });
      serviceLogger.info(`${name}: seed loaded`);
    },
  });
});
