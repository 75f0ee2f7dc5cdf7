import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { parseEventPayload, type EventEnvelope } from '@traveloure/platform';
import {
  conversationMessageCreated,
  tripChanged,
  tripDeleted,
  userChanged,
} from '@traveloure/platform/events/contracts';
import type { Database } from '../db/database.ts';
import { applyTrip, tombstoneTrip, upsertTraveler } from '../db/projection.repository.ts';
import type { Notifier } from '../delivery/notifier.ts';
import type { Reminders } from '../delivery/reminders.ts';

/**
 * Applies one relayed event inside the consumer's transaction (which also records the event id,
 * so a redelivery is a no-op). Queue side effects are idempotent by job id, so a rollback after
 * them is retried safely. A malformed payload is logged and skipped: retrying cannot fix it.
 */
export function createEventHandler(deps: { notifier: Notifier; reminders: Reminders; logger: Logger }) {
  return async (event: EventEnvelope, trx: Transaction<any>) => {
    const db = trx as unknown as Kysely<Database>;
    const parse = <T>(schema: z.ZodType<T>) => parseEventPayload(event, schema, deps.logger);
    switch (event.type) {
      case 'user.created':
      case 'user.updated': {
        const payload = parse(userChanged);
        if (payload) await upsertTraveler(db, payload, event.occurredAt);
        return;
      }
      case 'trip.created':
      case 'trip.updated': {
        const payload = parse(tripChanged);
        if (!payload) return;
        const { previous, applied } = await applyTrip(db, payload, event.occurredAt);
        if (applied && previous?.start_date !== payload.startDate) {
          await deps.reminders.schedule({
            tripId: payload.tripId,
            userId: payload.userId,
            startDate: payload.startDate,
            version: event.occurredAt,
          });
        }
        return;
      }
      case 'trip.deleted': {
        const payload = parse(tripDeleted);
        if (!payload) return;
        await tombstoneTrip(db, payload.tripId, payload.userId, event.occurredAt);
        await deps.reminders.cancel(payload.tripId);
        return;
      }
      case 'conversation.message_created': {
        const payload = parse(conversationMessageCreated);
        if (!payload) return;
        await deps.notifier.notifyMany(
          payload.recipientUserIds.map((userId) => ({
            userId,
            kind: 'EXPERT_MESSAGE' as const,
            severity: 'INFO' as const,
            title: `New message from ${payload.authorName || 'your expert'}`,
            body: payload.preview,
            dedupeKey: payload.messageId,
            data: { conversationId: payload.conversationId, messageId: payload.messageId },
          })),
        );
        return;
      }
      default:
        deps.logger.debug({ eventId: event.id, type: event.type }, 'event not of interest');
    }
  };
}
