import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { z } from 'zod';
import { parseEventPayload, type EventEnvelope } from '@traveloure/platform';
import type { Database } from '../db/database.ts';
import { applyTrip, tombstoneTrip, upsertTraveler } from '../db/projection.repository.ts';
import type { Notifier } from '../delivery/notifier.ts';
import type { Reminders } from '../delivery/reminders.ts';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const userPayload = z.object({
  userId: z.string().min(1),
  email: z.string().nullish(),
  name: z.string().nullish(),
  region: z.string().nullish(),
});
const tripPayload = z.object({
  tripId: z.string().min(1),
  userId: z.string().min(1),
  title: z.string(),
  destinationCode: z.string(),
  startDate: date,
  endDate: date,
  region: z.string().nullish(),
});
const tripDeletedPayload = z.object({ tripId: z.string().min(1), userId: z.string().min(1) });
const messagePayload = z.object({
  conversationId: z.string().min(1),
  messageId: z.string().min(1),
  recipientUserIds: z.array(z.string().min(1)),
  authorKind: z.string().optional(),
  authorName: z.string().nullish(),
  preview: z.string(),
});

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
        const payload = parse(userPayload);
        if (payload) await upsertTraveler(db, payload, event.occurredAt);
        return;
      }
      case 'trip.created':
      case 'trip.updated': {
        const payload = parse(tripPayload);
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
        const payload = parse(tripDeletedPayload);
        if (!payload) return;
        await tombstoneTrip(db, payload.tripId, payload.userId, event.occurredAt);
        await deps.reminders.cancel(payload.tripId);
        return;
      }
      case 'conversation.message_created': {
        const payload = parse(messagePayload);
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
