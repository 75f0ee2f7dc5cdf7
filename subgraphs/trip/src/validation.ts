import { userError, type UserError } from '@traveloure/platform';
import { isCalendarDate, isValidInstant } from '@traveloure/platform';

export const TITLE_MAX = 120;
export const ITEM_TITLE_MAX = 200;
export const NOTES_MAX = 2000;
export const LOCATION_MAX = 200;
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

/**
 * Length in characters (code points), as PostgreSQL's char_length counts them: an emoji is one
 * character, not the two UTF-16 units of String.length.
 */
export function characterCount(text: string): number {
  let count = 0;
  for (const _character of text) count++;
  return count;
}

/** Days from start to end, counting both ends (2026-05-01..2026-05-01 is one day). */
export function durationDays(startDate: string, endDate: string): number {
  return (
    Math.round((Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / 86_400_000) + 1
  );
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Every problem with a trip's fields, each naming its field under `prefix` (`['input', ...]`),
 * so a form can show them all at once.
 */
export function validateTrip(
  fields: TripFields,
  context: { destinationKnown: boolean },
  prefix: string[] = ['input'],
): UserError[] {
  const errors: UserError[] = [];
  checkTitle(errors, fields.title, TITLE_MAX, [...prefix, 'title']);
  if (!context.destinationKnown) {
    errors.push(
      userError(
        [...prefix, 'destinationCode'],
        `"${fields.destinationCode}" is not a known destination code.`,
        'UNKNOWN_DESTINATION',
      ),
    );
  }
  const startValid = isCalendarDate(fields.startDate);
  const endValid = isCalendarDate(fields.endDate);
  if (!startValid)
    errors.push(
      userError([...prefix, 'startDate'], 'Start date must be a real date, YYYY-MM-DD.', 'INVALID_DATE'),
    );
  if (!endValid)
    errors.push(
      userError([...prefix, 'endDate'], 'End date must be a real date, YYYY-MM-DD.', 'INVALID_DATE'),
    );
  if (startValid && endValid) {
    const days = durationDays(fields.startDate, fields.endDate);
    if (days < 1) {
      errors.push(
        userError([...prefix, 'endDate'], 'End date must be on or after the start date.', 'END_BEFORE_START'),
      );
    } else if (days > MAX_TRIP_DAYS) {
      errors.push(
        userError(
          [...prefix, 'endDate'],
          `A trip lasts at most ${MAX_TRIP_DAYS} days; this one has ${days}.`,
          'TOO_LONG',
        ),
      );
    }
  }
  if (!Number.isInteger(fields.travelers) || fields.travelers < 1 || fields.travelers > MAX_TRAVELERS) {
    errors.push(
      userError(
        [...prefix, 'travelers'],
        `Travelers must be between 1 and ${MAX_TRAVELERS}.`,
        'OUT_OF_RANGE',
      ),
    );
  }
  return errors;
}

/** The instants a trip covers: from local midnight of its first day to local midnight after its last. */
export interface TripWindow {
  from: Date;
  to: Date;
}

export function tripWindow(startDate: string, endDate: string, timezone: string): TripWindow {
  return { from: zonedMidnight(startDate, timezone), to: zonedMidnight(addDays(endDate, 1), timezone) };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at `instant`, in milliseconds (east positive). */
function zoneOffsetMs(timeZone: string, instant: number): number {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(
    formatter.formatToParts(new Date(instant)).map((part) => [part.type, part.value]),
  );
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The UTC instant of midnight starting `date` in `timeZone` (DST-aware). */
export function zonedMidnight(date: string, timeZone: string): Date {
  const guess = Date.parse(`${date}T00:00:00Z`);
  const first = guess - zoneOffsetMs(timeZone, guess);
  const second = guess - zoneOffsetMs(timeZone, first);
  return new Date(second);
}

export interface MoneyFields {
  amount: string;
  currency: string;
}

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

/** A title is required (after trimming) and at most `max` characters. */
function checkTitle(errors: UserError[], raw: string, max: number, field: string[]) {
  const title = raw.trim();
  if (title.length === 0) errors.push(userError(field, 'Title must not be empty.', 'REQUIRED'));
  else if (characterCount(title) > max) {
    errors.push(userError(field, `Title must be at most ${max} characters.`, 'TOO_LONG'));
  }
}

/** Every problem with an itinerary item, each naming its field; times must fall inside the trip. */
export function validateItem(
  fields: ItemFields,
  window: TripWindow,
  prefix: string[] = ['input'],
): UserError[] {
  const errors: UserError[] = [];
  checkTitle(errors, fields.title, ITEM_TITLE_MAX, [...prefix, 'title']);
  const startValid = isValidInstant(fields.startTime);
  const endValid = !fields.endTime || isValidInstant(fields.endTime);
  if (!startValid) {
    errors.push(
      userError(
        [...prefix, 'startTime'],
        'Start time must be ISO 8601 with a time zone, e.g. 2027-05-01T09:30:00Z.',
        'INVALID_DATETIME',
      ),
    );
  } else if (fields.startTime < window.from || fields.startTime >= window.to) {
    errors.push(userError([...prefix, 'startTime'], 'Start time must fall within the trip.', 'OUTSIDE_TRIP'));
  }
  if (!endValid) {
    errors.push(
      userError(
        [...prefix, 'endTime'],
        'End time must be ISO 8601 with a time zone, e.g. 2027-05-01T11:00:00Z.',
        'INVALID_DATETIME',
      ),
    );
  } else if (fields.endTime) {
    if (startValid && fields.endTime < fields.startTime) {
      errors.push(
        userError([...prefix, 'endTime'], 'End time must not be before the start time.', 'END_BEFORE_START'),
      );
    } else if (fields.endTime > window.to) {
      errors.push(userError([...prefix, 'endTime'], 'End time must fall within the trip.', 'OUTSIDE_TRIP'));
    }
  }
  if (fields.notes && characterCount(fields.notes) > NOTES_MAX) {
    errors.push(
      userError([...prefix, 'notes'], `Notes must be at most ${NOTES_MAX} characters.`, 'TOO_LONG'),
    );
  }
  if (fields.location && characterCount(fields.location) > LOCATION_MAX) {
    errors.push(
      userError([...prefix, 'location'], `Location must be at most ${LOCATION_MAX} characters.`, 'TOO_LONG'),
    );
  }
  if (fields.cost) {
    if (!amountPattern.test(fields.cost.amount)) {
      errors.push(
        userError(
          [...prefix, 'cost', 'amount'],
          'Amount must be a non-negative decimal with at most two decimals, e.g. "42.50".',
          'INVALID_AMOUNT',
        ),
      );
    }
    if (!currencyPattern.test(fields.cost.currency)) {
      errors.push(
        userError(
          [...prefix, 'cost', 'currency'],
          'Currency must be an ISO 4217 code such as EUR.',
          'INVALID_CURRENCY',
        ),
      );
    }
  }
  return errors;
}
