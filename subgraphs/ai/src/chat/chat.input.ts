import { z } from 'zod';
import { MAX_BODY_LENGTH, sanitizeBody } from './sanitize.ts';

const tooLong = { message: `At most ${MAX_BODY_LENGTH} characters.`, params: { code: 'TOO_LONG' } };

/**
 * A message body as stored: sanitized plain text of 1 to MAX_BODY_LENGTH characters. A body far
 * over the limit is refused before sanitizing, which would otherwise work through all of it.
 */
export const messageBody = z
  .string()
  .refine((raw) => raw.length <= MAX_BODY_LENGTH * 4, tooLong)
  .transform(sanitizeBody)
  .refine((body) => body.length > 0, { message: 'The message is empty.', params: { code: 'EMPTY' } })
  .refine((body) => body.length <= MAX_BODY_LENGTH, tooLong);

/** The arguments of `startConversation`; a blank trip id is no trip. */
export const startConversationInput = z.object({
  expertId: z.string(),
  tripId: z
    .string()
    .trim()
    .nullish()
    .transform((tripId) => tripId || null),
});

/** The arguments of `sendMessage` and `replyAsExpert`. */
export const messageInput = z.object({ conversationId: z.string(), body: messageBody });
