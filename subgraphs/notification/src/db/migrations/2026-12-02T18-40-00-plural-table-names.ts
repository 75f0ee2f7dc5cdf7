import { sql, type Kysely, type Migration } from 'kysely';

// Frozen: never import app code here.
/** Old name, new name: plural nouns, and `<source>_projection` for copies kept from events. */
const tables = [
  ['processed_event', 'processed_events'],
  ['traveler', 'user_projection'],
  ['trip', 'trip_projection'],
  ['notification', 'notifications'],
  ['delivery', 'deliveries'],
  ['delivery_attempt', 'delivery_attempts'],
  ['preference', 'preferences'],
] as const;
/** Keys named after their table when it was created: table (new name), old name, new name. */
const constraints = [
  ['processed_events', 'processed_event_pkey', 'processed_events_pkey'],
  ['user_projection', 'traveler_pkey', 'user_projection_pkey'],
  ['trip_projection', 'trip_pkey', 'trip_projection_pkey'],
  ['notifications', 'notification_pkey', 'notifications_pkey'],
  ['notifications', 'notification_once', 'notifications_once'],
  ['deliveries', 'delivery_pkey', 'deliveries_pkey'],
  ['deliveries', 'delivery_notification_id_fkey', 'deliveries_notification_id_fkey'],
  ['delivery_attempts', 'delivery_attempt_pkey', 'delivery_attempts_pkey'],
  ['preferences', 'preference_pkey', 'preferences_pkey'],
] as const;
const indexes = [
  ['trip_destination_dates', 'trip_projection_destination_dates'],
  ['notification_inbox', 'notifications_inbox'],
  ['notification_unread', 'notifications_unread'],
  ['delivery_attempt_day', 'delivery_attempts_day'],
] as const;
const sequences = [['delivery_attempt_id_seq', 'delivery_attempts_id_seq']] as const;

const id = (name: string) => sql.id('notification', name);

/**
 * The tables take the names docs/architecture.md gives them ("Naming"). Renamed, not recreated,
 * so their rows stay. The old names remain as views over the renamed tables (PostgreSQL writes
 * through a view of one table), so the release before, still running beside this one (a canary,
 * the other color), reads and writes the same rows: a later release drops the views.
 */
export const pluralTableNames: Migration = {
  async up(db: Kysely<any>) {
    for (const [from, to] of tables) await sql`alter table ${id(from)} rename to ${sql.id(to)}`.execute(db);
    for (const [table, from, to] of constraints) {
      await sql`alter table ${id(table)} rename constraint ${sql.id(from)} to ${sql.id(to)}`.execute(db);
    }
    for (const [from, to] of indexes) await sql`alter index ${id(from)} rename to ${sql.id(to)}`.execute(db);
    for (const [from, to] of sequences)
      await sql`alter sequence ${id(from)} rename to ${sql.id(to)}`.execute(db);
    for (const [from, to] of tables)
      await sql`create view ${id(from)} as select * from ${id(to)}`.execute(db);
  },
  async down(db: Kysely<any>) {
    for (const [from] of tables) await sql`drop view if exists ${id(from)}`.execute(db);
    for (const [from, to] of sequences)
      await sql`alter sequence ${id(to)} rename to ${sql.id(from)}`.execute(db);
    for (const [from, to] of indexes) await sql`alter index ${id(to)} rename to ${sql.id(from)}`.execute(db);
    for (const [table, from, to] of constraints) {
      await sql`alter table ${id(table)} rename constraint ${sql.id(to)} to ${sql.id(from)}`.execute(db);
    }
    for (const [from, to] of tables) await sql`alter table ${id(to)} rename to ${sql.id(from)}`.execute(db);
  },
};
