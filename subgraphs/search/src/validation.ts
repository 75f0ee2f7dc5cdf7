import { codedError, ErrorCode, isCalendarDate, isIataCode } from '@traveloure/platform';
import type { FlightQuery, HotelQuery, TravelClass } from './models.ts';

/** Amadeus searches at most 361 days ahead. */
export const MAX_DAYS_AHEAD = 361;

export interface FieldProblem {
  field: string[];
  message: string;
}

const currencyCode = /^[A-Z]{3}$/;
export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Collects every problem of one input, so the client can fix them all at once. */
class Checker {
  readonly problems: FieldProblem[] = [];
  constructor(private readonly prefix: string[]) {}

  fail(field: string, message: string) {
    this.problems.push({ field: [...this.prefix, field], message });
  }

  code(field: string, raw: string, what: string): string {
    const value = raw.trim().toUpperCase();
    if (!isIataCode(value))
      this.fail(field, `${field} must be a 3-letter IATA ${what} code, e.g. "PAR"; got "${raw}".`);
    return value;
  }

  date(field: string, value: string, today: string): boolean {
    if (!isCalendarDate(value)) {
      this.fail(field, `${field} must be a real calendar day written YYYY-MM-DD; got "${value}".`);
      return false;
    }
    if (value < today) {
      this.fail(field, `${field} may not be in the past (today is ${today} UTC).`);
      return false;
    }
    const latest = addDays(today, MAX_DAYS_AHEAD);
    if (value > latest) {
      this.fail(field, `${field} may be at most ${MAX_DAYS_AHEAD} days ahead (until ${latest}).`);
      return false;
    }
    return true;
  }

  range(field: string, value: number | null | undefined, fallback: number, min: number, max: number): number {
    const resolved = value ?? fallback;
    if (!Number.isInteger(resolved) || resolved < min || resolved > max) {
      this.fail(field, `${field} must be between ${min} and ${max}; got ${resolved}.`);
    }
    return resolved;
  }

  currency(field: string, value: string | null | undefined): string | null {
    if (value === null || value === undefined) return null;
    const normalized = value.trim().toUpperCase();
    if (!currencyCode.test(normalized))
      this.fail(field, `${field} must be an ISO 4217 code, e.g. "EUR"; got "${value}".`);
    return normalized;
  }

  /** BAD_USER_INPUT naming every failing field; `field` is the first, `fields` all of them. */
  throwIfAny() {
    if (this.problems.length === 0) return;
    throw codedError(ErrorCode.BAD_USER_INPUT, this.problems.map((problem) => problem.message).join(' '), {
      field: this.problems[0]!.field,
      fields: this.problems,
    });
  }
}

export interface FlightSearchInput {
  origin: string;
  destination: string;
  departureDate: string;
  returnDate?: string | null;
  adults?: number | null;
  travelClass?: TravelClass | null;
  nonStop?: boolean | null;
  maxResults?: number | null;
  currency?: string | null;
}

export interface HotelSearchInput {
  cityCode: string;
  checkIn: string;
  checkOut: string;
  adults?: number | null;
  rooms?: number | null;
  maxResults?: number | null;
  currency?: string | null;
}

export function validateFlightSearch(
  input: FlightSearchInput,
  /** sameCityField: which field to blame when origin equals destination (the one the client chose). */
  options: { today?: string; path?: string[]; sameCityField?: 'origin' | 'destination' } = {},
): FlightQuery {
  const today = options.today ?? todayUtc();
  const check = new Checker(options.path ?? ['input']);
  const origin = check.code('origin', input.origin, 'city or airport');
  const destination = check.code('destination', input.destination, 'city or airport');
  if (isIataCode(origin) && origin === destination) {
    if (options.sameCityField === 'origin')
      check.fail('origin', `origin must differ from the destination (${destination}).`);
    else check.fail('destination', 'destination must differ from origin.');
  }
  const departureOk = check.date('departureDate', input.departureDate, today);
  const returnDate = input.returnDate ?? null;
  if (
    returnDate !== null &&
    check.date('returnDate', returnDate, today) &&
    departureOk &&
    returnDate < input.departureDate
  ) {
    check.fail('returnDate', `returnDate must be on or after departureDate (${input.departureDate}).`);
  }
  const query: FlightQuery = {
    origin,
    destination,
    departureDate: input.departureDate,
    returnDate,
    adults: check.range('adults', input.adults, 1, 1, 9),
    travelClass: input.travelClass ?? null,
    nonStop: input.nonStop ?? false,
    maxResults: check.range('maxResults', input.maxResults, 10, 1, 50),
    currency: check.currency('currency', input.currency),
  };
  check.throwIfAny();
  return query;
}

export function validateHotelSearch(
  input: HotelSearchInput,
  options: { today?: string; path?: string[] } = {},
): HotelQuery {
  const today = options.today ?? todayUtc();
  const check = new Checker(options.path ?? ['input']);
  const cityCode = check.code('cityCode', input.cityCode, 'city');
  const checkInOk = check.date('checkIn', input.checkIn, today);
  if (check.date('checkOut', input.checkOut, today) && checkInOk && input.checkOut <= input.checkIn) {
    check.fail('checkOut', `checkOut must be after checkIn (${input.checkIn}).`);
  }
  const query: HotelQuery = {
    cityCode,
    checkIn: input.checkIn,
    checkOut: input.checkOut,
    adults: check.range('adults', input.adults, 1, 1, 9),
    rooms: check.range('rooms', input.rooms, 1, 1, 9),
    maxResults: check.range('maxResults', input.maxResults, 10, 1, 50),
    currency: check.currency('currency', input.currency),
  };
  check.throwIfAny();
  return query;
}

/** True when offers can exist for these dates (a trip in the past has none to search). */
export function searchableDates(start: string, end: string, today = todayUtc()): boolean {
  return (
    isCalendarDate(start) &&
    isCalendarDate(end) &&
    start >= today &&
    end <= addDays(today, MAX_DAYS_AHEAD) &&
    end >= start
  );
}
