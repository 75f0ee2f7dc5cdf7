import { sql, type Kysely, type Migration } from 'kysely';

// Frozen in time: never import application code here.
/**
 * `processed_event` takes the plural name of docs/architecture.md ("Naming"), its rows kept. The
 * old name remains as a view over the table (PostgreSQL writes through a view of one table), so
 * the release before, still running beside this one, records the same events: a later release
 * drops it.
 */
export const processedEvents: Migration = {
  async up(db: Kysely<any>) {
    await sql`alter table ai.processed_event rename to processed_events`.execute(db);
    await sql`alter table ai.processed_events rename constraint processed_event_pkey to processed_events_pkey`.execute(
      db,
    );
    await sql`create view ai.processed_event as select * from ai.processed_events`.execute(db);
  },
  async down(db: Kysely<any>) {
    await sql`drop view if exists ai.processed_event`.execute(db);
    await sql`alter table ai.processed_events rename constraint processed_events_pkey to processed_event_pkey`.execute(
      db,
    );
    await sql`alter table ai.processed_events rename to processed_event`.execute(db);
  },
};
