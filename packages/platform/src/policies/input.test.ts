import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseInput } from './input.ts';
import { UserInputError, withUserErrors } from './user-input.ts';

const tripInput = z
  .object({
    title: z.string().trim().min(1, 'Give the trip a title.').max(120, 'A title has at most 120 characters.'),
    travelers: z.number().int().min(1).max(20).default(1),
    startDate: z.string(),
    endDate: z.string(),
  })
  .superRefine((value, context) => {
    if (value.endDate < value.startDate) {
      context.addIssue({
        code: 'custom',
        path: ['endDate'],
        message: 'The trip ends before it starts.',
        params: { code: 'DATES' },
      });
    }
  });

describe('parseInput', () => {
  it('returns the parsed input, defaults applied', () => {
    expect(
      parseInput(tripInput, { title: '  Lisbon ', startDate: '2027-01-01', endDate: '2027-01-03' }),
    ).toEqual({
      title: 'Lisbon',
      travelers: 1,
      startDate: '2027-01-01',
      endDate: '2027-01-03',
    });
  });

  it('names every problem by its argument path, with its code', () => {
    let thrown: unknown;
    try {
      parseInput(tripInput, { title: '', travelers: 40, startDate: '2027-01-05', endDate: '2027-01-03' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UserInputError);
    const { userErrors } = thrown as UserInputError;
    expect(userErrors.map((error) => [error.field, error.code])).toEqual([
      [['input', 'title'], 'INVALID'],
      [['input', 'travelers'], 'INVALID'],
      [['input', 'endDate'], 'DATES'],
    ]);
    expect(userErrors[0]!.message).toBe('Give the trip a title.');
  });

  it('reports cross-field rules with their own code, under another argument path', async () => {
    const payload = await withUserErrors(
      async () => ({
        trip: parseInput(tripInput, { title: 'x', startDate: '2027-01-05', endDate: '2027-01-03' }, [
          'changes',
        ]),
      }),
      { trip: null },
    );
    expect(payload).toEqual({
      trip: null,
      userErrors: [
        { field: ['changes', 'endDate'], message: 'The trip ends before it starts.', code: 'DATES' },
      ],
    });
  });
});
