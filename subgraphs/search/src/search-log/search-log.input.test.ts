import { describe, expect, it } from 'vitest';
import { parseInput, UserInputError } from '@traveloure/platform';
import { searchDemandArguments } from './search-log.input.ts';

describe('searchDemandArguments', () => {
  it('accepts the bounds and names each argument out of range', () => {
    expect(parseInput(searchDemandArguments, { days: 365, first: 1 }, [])).toEqual({ days: 365, first: 1 });
    try {
      parseInput(searchDemandArguments, { days: 0, first: 101 }, []);
      throw new Error('expected the arguments to be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(UserInputError);
      expect((error as UserInputError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['days'] });
      expect((error as UserInputError).userErrors).toEqual([
        { field: ['days'], message: 'days must be between 1 and 365; got 0.', code: 'INVALID' },
        { field: ['first'], message: 'first must be between 1 and 100; got 101.', code: 'INVALID' },
      ]);
    }
  });
});
