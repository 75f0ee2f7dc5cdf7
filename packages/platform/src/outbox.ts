import { sql, type Kysely } from 'kysely';

/**
 * The transactional outbox. A service writes an event row in the same transaction as the change
 * it describes; a relay later publishes unpublished rows. The event exists if and only if the
 * change committed, and nothing is lost while the broker is down.
 *
 * Each owning schema has its own `outbox` table (created by that service's migrations):
 *   id uuid primary key, aggregate_type text, aggregate_id text, event_type text,
 *   payload jsonb, created_at timestamptz, published_at timestamptz null, attempts int
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
