import { describe, expect, it } from 'vitest';
import {
  durationDays,
  tripWindow,
  validateItem,
  validateTrip,
  zonedMidnight,
  type TripFields,
} from './validation.ts';
import { dateScalars, isCalendarDate } from '@traveloure/platform';

const { Date: DateScalar, DateTime: DateTimeScalar } = dateScalars({ inputs: 'lenient' });

const good: TripFields = {
  title: 'Paris in May',
  destinationCode: 'PAR',
  startDate: '2027-05-01',
  endDate: '2027-05-05',
  travelers: 2,
};
const fieldsOf = (errors: { field: string[] | null }[]) => errors.map((error) => error.field?.join('.'));

describe('validateTrip', () => {
  it('accepts a valid trip', () => {
    expect(validateTrip(good, { destinationKnown: true })).toEqual([]);
  });

  it('names every bad field at once', () => {
    const errors = validateTrip(
      { title: '   ', destinationCode: 'ZZZ', startDate: '2027-02-30', endDate: '2027-13-01', travelers: 0 },
      { destinationKnown: false },
    );
    expect(fieldsOf(errors)).toEqual([
      'input.title',
      'input.destinationCode',
      'input.startDate',
      'input.endDate',
      'input.travelers',
    ]);
    expect(errors.map((error) => error.code)).toEqual([
      'REQUIRED',
      'UNKNOWN_DESTINATION',
      'INVALID_DATE',
      'INVALID_DATE',
      'OUT_OF_RANGE',
    ]);
  });

  it('bounds the title at 120 characters', () => {
    expect(validateTrip({ ...good, title: 'x'.repeat(120) }, { destinationKnown: true })).toEqual([]);
    const errors = validateTrip({ ...good, title: 'x'.repeat(121) }, { destinationKnown: true });
    expect(errors).toMatchObject([{ field: ['input', 'title'], code: 'TOO_LONG' }]);
  });

  it('counts characters as PostgreSQL does, an emoji as one', () => {
    expect(validateTrip({ ...good, title: '🏝'.repeat(120) }, { destinationKnown: true })).toEqual([]);
    expect(validateTrip({ ...good, title: '🏝'.repeat(121) }, { destinationKnown: true })).toMatchObject([
      { field: ['input', 'title'], code: 'TOO_LONG' },
    ]);
  });

  it('wants the end on or after the start, and at most 90 days', () => {
    expect(validateTrip({ ...good, endDate: good.startDate }, { destinationKnown: true })).toEqual([]);
    expect(validateTrip({ ...good, endDate: '2027-04-30' }, { destinationKnown: true })).toMatchObject([
      { field: ['input', 'endDate'], code: 'END_BEFORE_START' },
    ]);
    // 2027-05-01 + 89 days = 2027-07-29 is the 90th day.
    expect(validateTrip({ ...good, endDate: '2027-07-29' }, { destinationKnown: true })).toEqual([]);
    expect(validateTrip({ ...good, endDate: '2027-07-30' }, { destinationKnown: true })).toMatchObject([
      { field: ['input', 'endDate'], code: 'TOO_LONG' },
    ]);
  });

  it('allows 1 to 20 travelers', () => {
    for (const travelers of [1, 20])
      expect(validateTrip({ ...good, travelers }, { destinationKnown: true })).toEqual([]);
    for (const travelers of [0, 21, 2.5]) {
      expect(fieldsOf(validateTrip({ ...good, travelers }, { destinationKnown: true }))).toEqual([
        'input.travelers',
      ]);
    }
  });

  it('uses the prefix it is given', () => {
    expect(fieldsOf(validateTrip({ ...good, title: '' }, { destinationKnown: true }, ['changes']))).toEqual([
      'changes.title',
    ]);
  });
});

describe('durationDays', () => {
  it('counts both ends, across months and leap days', () => {
    expect(durationDays('2027-05-01', '2027-05-01')).toBe(1);
    expect(durationDays('2028-02-28', '2028-03-01')).toBe(3);
    expect(durationDays('2027-03-27', '2027-03-29')).toBe(3);
  });
});

describe('trip windows in the destination time zone', () => {
  it('starts at local midnight', () => {
    expect(zonedMidnight('2027-01-10', 'Europe/Paris').toISOString()).toBe('2027-01-09T23:00:00.000Z');
    expect(zonedMidnight('2027-07-10', 'Europe/Paris').toISOString()).toBe('2027-07-09T22:00:00.000Z');
    expect(zonedMidnight('2027-07-10', 'America/New_York').toISOString()).toBe('2027-07-10T04:00:00.000Z');
    expect(zonedMidnight('2027-07-10', 'Asia/Kathmandu').toISOString()).toBe('2027-07-09T18:15:00.000Z');
  });

  it('spans a daylight-saving change', () => {
    // Europe/Paris moves to summer time on 2027-03-28.
    const window = tripWindow('2027-03-27', '2027-03-28', 'Europe/Paris');
    expect(window.from.toISOString()).toBe('2027-03-26T23:00:00.000Z');
    expect(window.to.toISOString()).toBe('2027-03-28T22:00:00.000Z');
  });
});

describe('validateItem', () => {
  const window = tripWindow('2027-05-01', '2027-05-03', 'UTC');
  const item = {
    title: 'Louvre',
    startTime: new Date('2027-05-02T09:00:00Z'),
    endTime: new Date('2027-05-02T12:00:00Z'),
    notes: null,
    location: null,
    cost: { amount: '44.00', currency: 'EUR' },
  };

  it('accepts an item inside the trip', () => {
    expect(validateItem(item, window)).toEqual([]);
    expect(validateItem({ ...item, startTime: window.from, endTime: window.to }, window)).toEqual([]);
  });

  it('refuses times outside the trip', () => {
    expect(
      validateItem({ ...item, startTime: new Date('2027-04-30T23:59:59Z'), endTime: null }, window),
    ).toMatchObject([{ field: ['input', 'startTime'], code: 'OUTSIDE_TRIP' }]);
    expect(validateItem({ ...item, startTime: window.to, endTime: null }, window)).toMatchObject([
      { field: ['input', 'startTime'], code: 'OUTSIDE_TRIP' },
    ]);
    expect(validateItem({ ...item, endTime: new Date('2027-05-04T00:00:01Z') }, window)).toMatchObject([
      { field: ['input', 'endTime'], code: 'OUTSIDE_TRIP' },
    ]);
  });

  it('wants the end after the start', () => {
    expect(validateItem({ ...item, endTime: new Date('2027-05-02T08:00:00Z') }, window)).toMatchObject([
      { field: ['input', 'endTime'], code: 'END_BEFORE_START' },
    ]);
  });

  it('checks title, notes, location and money', () => {
    const errors = validateItem(
      {
        ...item,
        title: '',
        notes: 'n'.repeat(2001),
        location: 'l'.repeat(201),
        cost: { amount: '-3', currency: 'euro' },
      },
      window,
    );
    expect(fieldsOf(errors)).toEqual([
      'input.title',
      'input.notes',
      'input.location',
      'input.cost.amount',
      'input.cost.currency',
    ]);
    for (const amount of ['1.234', '1e3', '', '12,50']) {
      expect(fieldsOf(validateItem({ ...item, cost: { amount, currency: 'EUR' } }, window))).toEqual([
        'input.cost.amount',
      ]);
    }
    const emoji = (count: number) => '🍷'.repeat(count);
    expect(
      validateItem({ ...item, title: emoji(200), notes: emoji(2000), location: emoji(200) }, window),
    ).toEqual([]);
    expect(
      fieldsOf(
        validateItem({ ...item, title: emoji(201), notes: emoji(2001), location: emoji(201) }, window),
      ),
    ).toEqual(['input.title', 'input.notes', 'input.location']);
  });
});

describe('scalars', () => {
  it('Date takes any string in (mutations validate it by field) and serializes real days only', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2027-5-1')).toBe(false);
    expect(DateScalar.parseValue('2027-02-30')).toBe('2027-02-30');
    expect(() => DateScalar.parseValue(20270501)).toThrow(/string/);
    expect(DateScalar.serialize('2027-05-01')).toBe('2027-05-01');
    expect(() => DateScalar.serialize('2027-02-30')).toThrow();
  });

  it('DateTime needs a time zone, serializes to UTC, and turns garbage into an invalid instant', () => {
    expect((DateTimeScalar.parseValue('2027-05-01T10:00:00+02:00') as Date).toISOString()).toBe(
      '2027-05-01T08:00:00.000Z',
    );
    expect(Number.isNaN((DateTimeScalar.parseValue('2027-05-01T10:00:00') as Date).getTime())).toBe(true);
    expect(Number.isNaN((DateTimeScalar.parseValue('yesterday') as Date).getTime())).toBe(true);
    expect(() => DateTimeScalar.parseValue(42)).toThrow(/string/);
    expect(DateTimeScalar.serialize(new Date('2027-05-01T08:00:00Z'))).toBe('2027-05-01T08:00:00.000Z');
  });

  it('an unparseable item time is a field error', () => {
    const window = tripWindow('2027-05-01', '2027-05-03', 'UTC');
    const errors = validateItem(
      {
        title: 'x',
        startTime: new Date(Number.NaN),
        endTime: new Date(Number.NaN),
        notes: null,
        location: null,
        cost: null,
      },
      window,
    );
    expect(errors.map((error) => [error.field?.join('.'), error.code])).toEqual([
      ['input.startTime', 'INVALID_DATETIME'],
      ['input.endTime', 'INVALID_DATETIME'],
    ]);
  });
});
