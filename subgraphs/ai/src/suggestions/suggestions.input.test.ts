import { describe, expect, it } from 'vitest';
import { parseInput, UserInputError } from '@traveloure/platform';
import { planRequestInput } from './suggestions.input.ts';

const request = (overrides: Record<string, unknown> = {}) => ({
  destinationCode: 'PAR',
  startDate: '2027-05-03',
  endDate: '2027-05-05',
  travelers: 2,
  budget: 'MIDRANGE',
  pace: 'MODERATE',
  interests: ['art'],
  ...overrides,
});

function problems(input: unknown, at = ['input']) {
  try {
    parseInput(planRequestInput, input, at);
  } catch (error) {
    if (error instanceof UserInputError) return error.userErrors;
    throw error;
  }
  throw new Error('expected the input to be refused');
}

describe('planRequestInput', () => {
  it('normalises the destination and interests, so the same ask is the same cache key', () => {
    expect(
      parseInput(
        planRequestInput,
        request({ destinationCode: ' par ', interests: [' Food', 'art', 'ART', ' '] }),
      ),
    ).toEqual(request({ interests: ['art', 'food'] }));
    expect(parseInput(planRequestInput, request({ interests: null })).interests).toEqual([]);
  });

  it('names each field with its code and message under the argument path', () => {
    expect(
      problems(request({ destinationCode: 'P4R', startDate: '2027-02-30', travelers: 0 }), ['preferences']),
    ).toEqual([
      {
        field: ['preferences', 'destinationCode'],
        message: 'Use a 3-letter IATA city code, e.g. PAR.',
        code: 'INVALID_DESTINATION',
      },
      { field: ['preferences', 'startDate'], message: 'Not a calendar date.', code: 'INVALID_DATE' },
      { field: ['preferences', 'travelers'], message: 'Between 1 and 20 travelers.', code: 'OUT_OF_RANGE' },
    ]);
  });

  it('checks the date range once both dates are real, alongside the other fields', () => {
    expect(problems(request({ endDate: '2027-05-01', travelers: 21 }))).toEqual([
      { field: ['input', 'travelers'], message: 'Between 1 and 20 travelers.', code: 'OUT_OF_RANGE' },
      {
        field: ['input', 'endDate'],
        message: 'The trip must end on or after its first day.',
        code: 'END_BEFORE_START',
      },
    ]);
    expect(problems(request({ endDate: '2027-06-05' }))).toEqual([
      { field: ['input', 'endDate'], message: 'Suggestions cover at most 30 days.', code: 'TOO_LONG' },
    ]);
  });

  it('allows at most 10 interests of up to 40 characters', () => {
    const tooMany = Array.from({ length: 11 }, (_, index) => `interest${index}`);
    for (const interests of [tooMany, ['x'.repeat(41)]]) {
      expect(problems(request({ interests }))).toEqual([
        {
          field: ['input', 'interests'],
          message: 'At most 10 interests of up to 40 characters.',
          code: 'TOO_MANY',
        },
      ]);
    }
  });
});
