/** `npm run seed`: migrations, then the idempotent demo data of every subgraph. */
import { migrateAll } from './migrate.ts';

await migrateAll({ seed: true });
