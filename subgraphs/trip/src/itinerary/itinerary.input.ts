import { z } from 'zod';
import { isValidInstant } from '@traveloure/platform';
import { always, characterCount, coded, titleSchema } from '../input-rules.ts';
import type { TripWindow } from '../trips/trip-dates.ts';

export const ITEM_TITLE_MAX = 200;
export const NOTES_MAX = 2000;
export const LOCATION_MAX = 200;

export interface MoneyFields {
  amount: string;
  currency: string;
}

/** An item's fields as added, or as stored with an update's changes (null clears an optional one). */
export interface ItemFields {
  title: string;
  startTime: Date;
  endTime: Date | null;
  notes: string | null;
  location: string | null;
  cost: MoneyFields | null;
}

const amountPattern = /^\d{1,12}(\.\d{1,2})?$/;
const currencyPattern = /^[A-Z]{3}$/;

const instant = (which: 'Start' | 'End', example: string) =>
  // Not z.date(), which refuses an invalid Date outright: the lenient DateTime scalar turns an
  // unparseable time into one, and this check names it with its own code.
  z
    .instanceof(Date)
    .refine(
      isValidInstant,
      coded(`${which} time must be ISO 8601 with a time zone, e.g. ${example}.`, 'INVALID_DATETIME'),
    );

const atMost = (what: string, max: number) =>
  z
    .string()
    .nullable()
    .refine(
      (text) => !text || characterCount(text) <= max,
      coded(`${what} must be at most ${max} characters.`, 'TOO_LONG'),
    );

/**
 * An item's times, which must fall inside the trip's window as it is under the trip's row lock
 * (so the schema is made per change, inside the transaction).
 */
const timesSchema = (window: TripWindow) =>
  z
    .object({
      title: titleSchema(ITEM_TITLE_MAX),
      startTime: instant('Start', '2027-05-01T09:30:00Z').refine(
        (start) => !isValidInstant(start) || (start >= window.from && start < window.to),
        coded('Start time must fall within the trip.', 'OUTSIDE_TRIP'),
      ),
      endTime: instant('End', '2027-05-01T11:00:00Z').nullable(),
    })
    .refine(
      ({ startTime, endTime }) =>
        !endTime || !isValidInstant(endTime) || !isValidInstant(startTime) || endTime >= startTime,
      {
        ...coded('End time must not be before the start time.', 'END_BEFORE_START'),
        path: ['endTime'],
        ...always,
      },
    )
    .refine(
      ({ startTime, endTime }) =>
        !endTime ||
        !isValidInstant(endTime) ||
        (isValidInstant(startTime) && endTime < startTime) || // already refused as END_BEFORE_START
        endTime <= window.to,
      { ...coded('End time must fall within the trip.', 'OUTSIDE_TRIP'), path: ['endTime'], ...always },
    );

const detailsSchema = z.object({
  notes: atMost('Notes', NOTES_MAX),
  location: atMost('Location', LOCATION_MAX),
  cost: z
    .object({
      amount: z
        .string()
        .refine(
          (amount) => amountPattern.test(amount),
          coded(
            'Amount must be a non-negative decimal with at most two decimals, e.g. "42.50".',
            'INVALID_AMOUNT',
          ),
        ),
      currency: z
        .string()
        .refine(
          (currency) => currencyPattern.test(currency),
          coded('Currency must be an ISO 4217 code such as EUR.', 'INVALID_CURRENCY'),
        ),
    })
    .nullable(),
});

/**
 * Every problem with an item (as added, or as an update leaves it), each under its field, in
 * the form's order: title and times (checked against the trip's `window`), then notes, location
 * and cost. Parses to the trimmed title.
 */
export const itemFieldsSchema = (window: TripWindow) => timesSchema(window).and(detailsSchema);
