import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDatabase, migrateSchema } from '@traveloure/platform';
import { createTestDatabase, type TestDatabase } from '@traveloure/platform/testing';
import type { Database } from './database.ts';
import { migrations } from './migrations/index.ts';

const initial = '2026_11_26_001_notification';
const renames = '2026-12-02T18-40-00-plural-table-names';

describe('the migration to plural table names', () => {
  let database: TestDatabase;
  let handle: ReturnType<typeof createDatabase<Database>>;
  beforeAll(async () => {
    database = await createTestDatabase('notification_table_names');
    handle = createDatabase<Database>({ service: 'notification', url: database.url });
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  const relations = async () =>
    (
      await sql<{ name: string; kind: string }>`
        select c.relname as name, c.relkind::text as kind from pg_class c
          join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = 'notification' and c.relkind in ('r', 'v') and c.relname not like 'kysely_%'
         order by 1`.execute(handle.db)
    ).rows;
  const count = async (table: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(handle.db)).rows[0]!
      .n;

  it('keeps the rows written under the old names, which stay writable as views for the release before', async () => {
    await migrateSchema(handle.db, 'notification', { [initial]: migrations[initial]! });
    const oldNames = [
      'processed_event',
      'traveler',
      'trip',
      'notification',
      'delivery',
      'delivery_attempt',
      'preference',
    ];
    expect((await relations()).map(({ name }) => name)).toEqual([...oldNames].sort());
    await sql`insert into notification.processed_event (event_id, source, event_type)
      values (gen_random_uuid(), 'trip', 'trip.created')`.execute(handle.db);
    await sql`insert into notification.traveler (user_id, email, version) values ('u1', 'u1@example.com', now())`.execute(
      handle.db,
    );
    await sql`insert into notification.trip (trip_id, user_id, version) values ('t1', 'u1', now())`.execute(
      handle.db,
    );
    const { rows } = await sql<{ id: string }>`insert into notification.notification
      (user_id, kind, severity, title, body, dedupe_key) values ('u1', 'SYSTEM', 'INFO', 'x', 'x', 'k1')
      returning id`.execute(handle.db);
    await sql`insert into notification.delivery (notification_id, channel, status)
      values (${rows[0]!.id}, 'IN_APP', 'SENT')`.execute(handle.db);
    await sql`insert into notification.delivery_attempt (notification_id, channel, outcome)
      values (${rows[0]!.id}, 'IN_APP', 'SENT')`.execute(handle.db);
    await sql`insert into notification.preference (user_id, webhook_secret) values ('u1', 's')`.execute(
      handle.db,
    );

    await migrateSchema(handle.db, 'notification', migrations);
    const newNames = [
      'processed_events',
      'user_projection',
      'trip_projection',
      'notifications',
      'deliveries',
      'delivery_attempts',
      'preferences',
    ];
    expect(await relations()).toEqual(
      [
        ...newNames.map((name) => ({ name, kind: 'r' })),
        ...oldNames.map((name) => ({ name, kind: 'v' })),
      ].sort((a, b) => a.name.localeCompare(b.name, 'en')),
    );
    for (const table of newNames) expect(await count(`notification.${table}`), table).toBe(1);
    const found = await handle.db
      .selectFrom('notification.notifications as n')
      .innerJoin('notification.deliveries as d', 'd.notification_id', 'n.id')
      .innerJoin('notification.user_projection as u', 'u.user_id', 'n.user_id')
      .select(['n.dedupe_key', 'd.channel', 'u.email'])
      .execute();
    expect(found).toEqual([{ dedupe_key: 'k1', channel: 'IN_APP', email: 'u1@example.com' }]);

    // What the release before still does: the inbox's upsert and the attempt log, by the old names.
    await sql`insert into notification.notification (user_id, kind, severity, title, body, dedupe_key)
      values ('u1', 'SYSTEM', 'INFO', 'x', 'x', 'k1') on conflict (user_id, kind, dedupe_key) do nothing`.execute(
      handle.db,
    );
    await sql`insert into notification.delivery_attempt (notification_id, channel, outcome)
      values (${rows[0]!.id}, 'IN_APP', 'SENT')`.execute(handle.db);
    expect(await count('notification.notifications')).toBe(1);
    expect(await count('notification.delivery_attempts')).toBe(2);

    const names = (
      await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = 'notification'
        and tablename not like 'kysely_%' order by 1`.execute(handle.db)
    ).rows.map(({ name }) => name);
    expect(names).toEqual([
      'deliveries_pkey',
      'delivery_attempts_day',
      'delivery_attempts_pkey',
      'notifications_inbox',
      'notifications_once',
      'notifications_pkey',
      'notifications_unread',
      'preferences_pkey',
      'processed_events_pkey',
      'trip_projection_destination_dates',
      'trip_projection_pkey',
      'user_projection_pkey',
    ]);
    const { rows: sequence } = await sql<{ name: string }>`
      select pg_get_serial_sequence('notification.delivery_attempts', 'id') as name`.execute(handle.db);
    expect(sequence[0]!.name).toBe('notification.delivery_attempts_id_seq');
  });

  it('goes down to the old names, rows kept', async () => {
    await migrations[renames]!.down!(handle.db);
    expect(await relations()).toEqual(
      [
        'delivery',
        'delivery_attempt',
        'notification',
        'preference',
        'processed_event',
        'traveler',
        'trip',
      ].map((name) => ({ name, kind: 'r' })),
    );
    expect(await count('notification.delivery_attempt')).toBe(2);
    expect(await count('notification.traveler')).toBe(1);
    await migrations[renames]!.up(handle.db);
    expect(await count('notification.delivery_attempts')).toBe(2);
  });
});
