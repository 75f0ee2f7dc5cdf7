import { z } from 'zod';
import { isCalendarDate } from '@traveloure/platform';
import { always, coded, titleSchema } from '../input-rules.ts';
import { durationDays } from './trip-dates.ts';

export const TITLE_MAX = 120;
export const MAX_TRIP_DAYS = 90;
export const MAX_TRAVELERS = 20;

/** A trip's fields after defaults (create) or after merging the changes (update). */
export interface TripFields {
  title: string;
  destinationCode: string;
  startDate: string;
  endDate: string;
  travelers: number;
}

/** The dates a rule relating them can compare: both real calendar days. */
const bothDatesReal = ({ value }: { value: unknown }) => {
  const { startDate, endDate } = value as Partial<TripFields>;
  return (
    typeof startDate === 'string' &&
    typeof endDate === 'string' &&
    isCalendarDate(startDate) &&
    isCalendarDate(endDate)
  );
};

const calendarDate = (which: 'Start' | 'End') =>
  z.string().refine(isCalendarDate, coded(`${which} date must be a real date, YYYY-MM-DD.`, 'INVALID_DATE'));

/**
 * The whole trip a create or an update would leave (CreateTripInput with its defaults, or the
 * stored trip with UpdateTripInput's changes), so a form sees every problem at once, each under
 * its field. Whether the destination code is known is looked up before (`destination.known`):
 * zod checks synchronously. Parses to the trimmed title; the service passes the normalized code.
 */
export function tripFieldsSchema(destination: { known: boolean }) {
  return z
    .object({
      title: titleSchema(TITLE_MAX),
      destinationCode: z.string().refine(() => destination.known, {
        error: (issue) => `"${String(issue.input)}" is not a known destination code.`,
        params: { code: 'UNKNOWN_DESTINATION' },
      }),
      startDate: calendarDate('Start'),
      endDate: calendarDate('End'),
      travelers: z.number(),
    })
    .refine((trip) => durationDays(trip.startDate, trip.endDate) >= 1, {
      ...coded('End date must be on or after the start date.', 'END_BEFORE_START'),
      path: ['endDate'],
      when: bothDatesReal,
    })
    .refine(
      (trip) => {
        const days = durationDays(trip.startDate, trip.endDate);
        return days < 1 || days <= MAX_TRIP_DAYS;
      },
      {
        error: (issue) => {
          const trip = issue.input as TripFields;
          return `A trip lasts at most ${MAX_TRIP_DAYS} days; this one has ${durationDays(trip.startDate, trip.endDate)}.`;
        },
        params: { code: 'TOO_LONG' },
        path: ['endDate'],
        when: bothDatesReal,
      },
    )
    .refine(
      // After the dates, in the order the form shows its fields.
      (trip) => Number.isInteger(trip.travelers) && trip.travelers >= 1 && trip.travelers <= MAX_TRAVELERS,
      {
        ...coded(`Travelers must be between 1 and ${MAX_TRAVELERS}.`, 'OUT_OF_RANGE'),
        path: ['travelers'],
        ...always,
      },
    );
}
