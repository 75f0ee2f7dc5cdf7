import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { parseEventPayload, type EventEnvelope } from '@traveloure/platform';
import type { Database } from '../db/database.ts';
import { applyTrip, tombstoneTrip } from '../db/trip-projection.repository.ts';
import { tripDeletedPayload, tripPayload } from './trip-projection.input.ts';

/**
 * Keeps `ai.trip_projection` from one of the trip subgraph's events. Runs inside the consumer's
 * transaction, which also records the event id, so a redelivery is a no-op. A payload that does
 * not parse is logged and skipped (parseEventPayload): retrying would not make it parse.
 */
export async function projectTripEvent(db: Kysely<Database>, logger: Logger, event: EventEnvelope) {
  switch (event.type) {
    case 'trip.created':
    case 'trip.updated': {
      const payload = parseEventPayload(event, tripPayload, logger);
      if (payload) await applyTrip(db, payload, event.occurredAt);
      return;
    }
    case 'trip.deleted': {
      const payload = parseEventPayload(event, tripDeletedPayload, logger);
      if (payload) await tombstoneTrip(db, payload.tripId, payload.userId, event.occurredAt);
      return;
    }
    default:
      logger.debug({ eventId: event.id, type: event.type }, 'event not of interest');
  }
}

/** The event subscription's handler: each event projected in the transaction it is consumed in. */
export function createTripEventHandler(logger: Logger) {
  return (event: EventEnvelope, trx: Transaction<any>) =>
    projectTripEvent(trx as unknown as Kysely<Database>, logger, event);
}
