import { z } from 'zod';
import { isCalendarDate, isIataCode } from '@traveloure/platform';
import { datesBetween } from '../planner/time.ts';
import { MAX_TRIP_DAYS } from '../planner/types.ts';

/** A check's message and the user-error code parseInput gives it. */
const problem = (code: string, message: string) => ({ message, params: { code } });

const calendarDate = z.string().refine(isCalendarDate, problem('INVALID_DATE', 'Not a calendar date.'));

/**
 * What a suggestion is asked for: a `PlanItineraryInput`, or a trip's fields with the caller's
 * `ItineraryPreferencesInput`. Normalised so that asking the same thing in other words (` par `,
 * `Art, art`) is the same request, and so the same cache key. Each field reports at most one
 * problem; the date range is checked once both dates are calendar dates.
 */
export const planRequestInput = z
  .object({
    destinationCode: z
      .string()
      .trim()
      .toUpperCase()
      .refine(isIataCode, problem('INVALID_DESTINATION', 'Use a 3-letter IATA city code, e.g. PAR.')),
    startDate: calendarDate,
    endDate: calendarDate,
    travelers: z
      .number()
      .refine(
        (travelers) => Number.isInteger(travelers) && travelers >= 1 && travelers <= 20,
        problem('OUT_OF_RANGE', 'Between 1 and 20 travelers.'),
      ),
    budget: z.enum(['BUDGET', 'MIDRANGE', 'LUXURY']),
    pace: z.enum(['RELAXED', 'MODERATE', 'PACKED']),
    interests: z
      .array(z.string())
      .nullish()
      .transform((interests) =>
        [
          ...new Set((interests ?? []).map((interest) => interest.trim().toLowerCase()).filter(Boolean)),
        ].sort(),
      )
      .refine(
        (interests) => interests.length <= 10 && interests.every((interest) => interest.length <= 40),
        problem('TOO_MANY', 'At most 10 interests of up to 40 characters.'),
      ),
  })
  .superRefine((request, context) => {
    if (!isCalendarDate(request.startDate) || !isCalendarDate(request.endDate)) return;
    if (request.endDate < request.startDate) {
      context.addIssue({
        code: 'custom',
        path: ['endDate'],
        ...problem('END_BEFORE_START', 'The trip must end on or after its first day.'),
      });
    } else if (datesBetween(request.startDate, request.endDate).length > MAX_TRIP_DAYS) {
      context.addIssue({
        code: 'custom',
        path: ['endDate'],
        ...problem('TOO_LONG', `Suggestions cover at most ${MAX_TRIP_DAYS} days.`),
      });
    }
  });
