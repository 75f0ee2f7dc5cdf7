import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { parseEventPayload, type EventEnvelope } from '@traveloure/platform';
import type { Database } from './db/database.ts';
import { applyTrip, tombstoneTrip } from './db/trip-projection.repository.ts';
import { isUuid } from '@traveloure/platform';

const tripId = z.string().refine(isUuid, 'a trip id is a uuid');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const tripPayload = z.object({
  tripId,
  userId: z.string().min(1),
  title: z.string(),
  destinationCode: z.string(),
  startDate: date,
  endDate: date,
  // Events written before these were part of the payload lack them.
  travelers: z.number().int().nullish(),
  budget: z.string().nullish(),
  pace: z.string().nullish(),
});
const tripDeletedPayload = z.object({ tripId, userId: z.string().min(1) });

/**
 * Keeps `ai.trip_projection` from the trip subgraph's events, inside the consumer's transaction
 * (which also records the event id, so a redelivery is a no-op).
 */
export function createTripEventHandler(logger: Logger) {
  return async (event: EventEnvelope, trx: Transaction<any>) => {
    const db = trx as unknown as Kysely<Database>;
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
  };
}
