/** An outbox row as it travels: the consumer dedupes on `id` and acknowledges to `source`. */
export interface EventEnvelope<P = Record<string, unknown>> {
  id: string;
  /** The schema whose outbox holds the row (`trip`, `ai`). */
  source: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: P;
  /** When the change committed (the outbox row's created_at), ISO 8601. */
  occurredAt: string;
}

/** Queue job ids may not contain ':' (BullMQ). */
export const eventJobId = (eventId: string) => `evt.${eventId}`;
