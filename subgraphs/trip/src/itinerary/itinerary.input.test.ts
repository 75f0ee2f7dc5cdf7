import { describe, expect, it } from 'vitest';
import {
  dateScalars,
  isCalendarDate,
  parseInput,
  UserInputError,
  type UserError,
} from '@traveloure/platform';
import { tripWindow, type TripWindow } from '../trips/trip-dates.ts';
import { itemFieldsSchema, type ItemFields } from './itinerary.input.ts';

const { Date: DateScalar, DateTime: DateTimeScalar } = dateScalars({ inputs: 'lenient' });
const fieldsOf = (errors: { field: string[] | null }[]) => errors.map((error) => error.field?.join('.'));

/** The user errors parseInput answers for these fields, as the itinerary service checks them. */
function validateItem(fields: ItemFields, window: TripWindow): UserError[] {
  try {
    parseInput(itemFieldsSchema(window), fields, ['input']);
    return [];
  } catch (error) {
    if (error instanceof UserInputError) return error.userErrors;
    throw error;
  }
}

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

  it("reports every problem in the form's order, with its message", () => {
    const errors = validateItem(
      {
        title: ' ',
        startTime: new Date('2027-05-02T09:00:00Z'),
        endTime: new Date('2027-05-02T08:00:00Z'),
        notes: 'n'.repeat(2001),
        location: null,
        cost: { amount: '1', currency: 'eur' },
      },
      window,
    );
    expect(errors).toEqual([
      { field: ['input', 'title'], message: 'Title must not be empty.', code: 'REQUIRED' },
      {
        field: ['input', 'endTime'],
        message: 'End time must not be before the start time.',
        code: 'END_BEFORE_START',
      },
      { field: ['input', 'notes'], message: 'Notes must be at most 2000 characters.', code: 'TOO_LONG' },
      {
        field: ['input', 'cost', 'currency'],
        message: 'Currency must be an ISO 4217 code such as EUR.',
        code: 'INVALID_CURRENCY',
      },
    ]);
    expect(
      validateItem(
        { ...item, startTime: new Date('2027-05-02T09:00:00Z'), endTime: new Date('2027-05-05T00:00:00Z') },
        window,
      ),
    ).toEqual([
      { field: ['input', 'endTime'], message: 'End time must fall within the trip.', code: 'OUTSIDE_TRIP' },
    ]);
  });

  it('parses to the trimmed title', () => {
    expect(parseInput(itemFieldsSchema(window), { ...item, title: '  Louvre ' }).title).toBe('Louvre');
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
