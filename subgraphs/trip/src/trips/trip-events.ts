import type { Kysely } from 'kysely';
import { writeOutboxEvent } from '@traveloure/platform/outbox';
import type { EventPayload, TripChanged } from '@traveloure/platform/events/contracts';
import type { TripRow } from '../db/database.ts';

/** The trip events of the published contract (`@traveloure/platform/events/contracts`; docs/trip.md, Events). */
export type TripEventType = 'trip.created' | 'trip.updated' | 'trip.deleted';

// Required: the producer writes every field of the contract, the optional ones included.
export function tripEventPayload(trip: TripRow): Required<TripChanged> {
  return {
    tripId: trip.id,
    userId: trip.user_id,
    title: trip.title,
    destinationCode: trip.destination_code,
    startDate: trip.start_date,
    endDate: trip.end_date,
    travelers: trip.travelers,
    budget: trip.budget,
    pace: trip.pace,
    region: trip.region,
  };
}

/** Writes a trip event in the caller's transaction: it exists if and only if the change commits. */
export async function writeTripEvent(trx: Kysely<any>, type: TripEventType, trip: TripRow) {
  await writeOutboxEvent(trx, 'trip', {
    aggregateType: 'trip',
    aggregateId: trip.id,
    eventType: type,
    payload:
      type === 'trip.deleted'
        ? ({ tripId: trip.id, userId: trip.user_id } satisfies EventPayload<'trip.deleted'>)
        : tripEventPayload(trip),
  });
}
