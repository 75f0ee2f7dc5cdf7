/**
 * The events one service publishes for the others (the payloads of its outbox), defined once:
 * the producer types what it writes with these and every consumer parses with them
 * (`parseEventPayload`), so neither can drift from the other unseen. Events already in outboxes
 * and queues must keep parsing: a field is only ever added, and then optional (docs/operations.md,
 * expand then contract). A consumer that needs more than the contract promises (a uuid, say)
 * refines the schema in its own code.
 */
import { z } from 'zod';

const id = z.string().min(1);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is written YYYY-MM-DD');

/** `user.created`, `user.updated` (trip): the user's profile as trip keeps it. */
export const userChanged = z.object({
  userId: id,
  email: z.string().nullish(),
  name: z.string().nullish(),
  region: z.string().nullish(),
});

/** `trip.created`, `trip.updated` (trip): the trip's facts, its dates as days. */
export const tripChanged = z.object({
  tripId: id,
  userId: id,
  title: z.string(),
  destinationCode: z.string(),
  startDate: day,
  endDate: day,
  // Events written before these were part of the payload lack them.
  travelers: z.number().int().nullish(),
  budget: z.string().nullish(),
  pace: z.string().nullish(),
  region: z.string().nullish(),
});

/** `trip.deleted` (trip). */
export const tripDeleted = z.object({ tripId: id, userId: id });

/** `conversation.message_created` (ai): who is told of a new message, and its first words. */
export const conversationMessageCreated = z.object({
  conversationId: id,
  messageId: id,
  recipientUserIds: z.array(id),
  authorKind: z.string().optional(),
  authorName: z.string().nullish(),
  preview: z.string(),
});

/** Every published event type and the schema of its payload. */
export const eventContracts = {
  'user.created': userChanged,
  'user.updated': userChanged,
  'trip.created': tripChanged,
  'trip.updated': tripChanged,
  'trip.deleted': tripDeleted,
  'conversation.message_created': conversationMessageCreated,
} as const;

export type PublishedEventType = keyof typeof eventContracts;
/** The payload of `type`, as a producer writes it and a consumer reads it once parsed. */
export type EventPayload<T extends PublishedEventType> = z.infer<(typeof eventContracts)[T]>;
export type UserChanged = z.infer<typeof userChanged>;
export type TripChanged = z.infer<typeof tripChanged>;
