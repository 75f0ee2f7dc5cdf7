import { z } from 'zod';
import { isIataCode } from '@traveloure/platform';

const text = (what: string, max: number) =>
  z
    .string()
    .trim()
    .refine((value) => value.length >= 1 && value.length <= max, {
      message: `${what} must be 1 to ${max} characters.`,
      params: { code: 'INVALID_LENGTH' },
    });

/** BroadcastEmergencyAlertInput, trimmed; the destination upper-cased. */
export const emergencyAlertInput = z.object({
  destinationCode: z
    .string()
    .trim()
    .toUpperCase()
    .refine(isIataCode, { message: 'Destination code must be 3 letters (IATA city code).' }),
  severity: z.enum(['INFO', 'WARNING', 'CRITICAL']),
  title: text('Title', 200),
  body: text('Body', 5_000),
});
