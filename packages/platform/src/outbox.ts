import { sql, type Kysely } from 'kysely';

/**
 * The transactional outbox. A service writes an event row in the same transaction as the change
 * it describes; a relay later publishes unpublished rows. The event exists if and only if the
 * change committed, and nothing is lost while the broker is down.
 *
 * Each owning schema has its own `outbox` table, created by that service's migrations with
 * createOutboxTable.
 */
export interface OutboxEvent {
  aggregateType: string;
  aggregateId: string;
  eventType: string;
  payload: Record<string, unknown>;
}

export interface OutboxRow {
  id: string;
  aggregate_type: string;
  aggregate_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  created_at: Date;
  published_at: Date | null;
  attempts: number;
}

export async function writeOutboxEvent(
  trx: Kysely<any>,
  schema: string,
  event: OutboxEvent,
): Promise<string> {
  const result = await sql<{ id: string }>`
    insert into ${sql.id(schema, 'outbox')} (aggregate_type, aggregate_id, event_type, payload)
    values (${event.aggregateType}, ${event.aggregateId}, ${event.eventType}, ${JSON.stringify(event.payload)}::jsonb)
    returning id`.execute(trx);
  return result.rows[0]!.id;
}

/**
 * Creates `schema`.outbox and the index the relay scans for unpublished rows. Migrations that ran
 * long ago call it, so its statements never change: a new outbox shape is a new migration.
 */
export async function createOutboxTable(db: Kysely<any>, schema: string): Promise<void> {
  const outbox = sql.id(schema, 'outbox');
  await sql`
    create table ${outbox} (
      id uuid primary key default gen_random_uuid(),
      aggregate_type text not null,
      aggregate_id text not null,
      event_type text not null,
      payload jsonb not null,
      created_at timestamptz not null default now(),
      published_at timestamptz,
      attempts int not null default 0
    )`.execute(db);
  await sql`create index outbox_unpublished_idx on ${outbox} (created_at) where published_at is null`.execute(
    db,
  );
}
