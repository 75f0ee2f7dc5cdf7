import { describe, expect, it } from 'vitest';
import { parseInput, UserInputError, type UserError } from '@traveloure/platform';
import { tripFieldsSchema, type TripFields } from './trips.input.ts';

/** The user errors parseInput answers for these fields, as the services check them. */
function validateTrip(
  fields: TripFields,
  context: { destinationKnown: boolean },
  prefix: string[] = ['input'],
): UserError[] {
  try {
    parseInput(tripFieldsSchema({ known: context.destinationKnown }), fields, prefix);
    return [];
  } catch (error) {
    if (error instanceof UserInputError) return error.userErrors;
    throw error;
  }
}

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

  it('reports the messages a form shows', () => {
    const errors = validateTrip(
      { ...good, title: ' ', destinationCode: 'ZZZ', endDate: '2027-08-30', travelers: 21 },
      { destinationKnown: false },
    );
    expect(errors.map((error) => error.message)).toEqual([
      'Title must not be empty.',
      '"ZZZ" is not a known destination code.',
      'A trip lasts at most 90 days; this one has 122.',
      'Travelers must be between 1 and 20.',
    ]);
    expect(
      validateTrip({ ...good, endDate: '2027-04-30', title: 'x'.repeat(121) }, { destinationKnown: true }),
    ).toEqual([
      { field: ['input', 'title'], message: 'Title must be at most 120 characters.', code: 'TOO_LONG' },
      {
        field: ['input', 'endDate'],
        message: 'End date must be on or after the start date.',
        code: 'END_BEFORE_START',
      },
    ]);
  });

  it('uses the prefix it is given', () => {
    expect(fieldsOf(validateTrip({ ...good, title: '' }, { destinationKnown: true }, ['changes']))).toEqual([
      'changes.title',
    ]);
  });
});
