import { sql, type Kysely, type Migration } from 'kysely';
import { createOutboxTable } from '@traveloure/platform/outbox';

/** The transactional outbox for user and trip events (relayed by the notification service). */
export const tripOutboxMigration: Migration = {
  async up(db: Kysely<any>) {
    await createOutboxTable(db, 'trip');
  },

  async down(db: Kysely<any>) {
    await sql`drop table if exists trip.outbox`.execute(db);
  },
};
