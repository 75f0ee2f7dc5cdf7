import { z } from 'zod';
import { isUuid } from '@traveloure/platform';

const tripId = z.string().refine(isUuid, 'a trip id is a uuid');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** The payload of `trip.created` and `trip.updated` as the trip subgraph writes it. */
export const tripPayload = z.object({
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

/** The payload of `trip.deleted`. */
export const tripDeletedPayload = z.object({ tripId, userId: z.string().min(1) });
