import { describe, expect, it } from 'vitest';
import { buildSchema, graphql, GraphQLError } from 'graphql';
import { createErrorFormatter, userError } from '../errors.ts';
import { rejectInput, UserInputError, withUserErrors } from './user-input.ts';

describe('user input errors', () => {
  it('withUserErrors answers the work with no user errors, or the failed payload with them', async () => {
    expect(await withUserErrors(async () => ({ trip: 'T1' }), { trip: null })).toEqual({
      trip: 'T1',
      userErrors: [],
    });
    const refused = await withUserErrors(
      async () =>
        rejectInput(userError(['input', 'title'], 'Too long.', 'TOO_LONG'), userError(null, 'And more.')),
      { trip: null },
    );
    expect(refused).toEqual({
      trip: null,
      userErrors: [
        { field: ['input', 'title'], message: 'Too long.', code: 'TOO_LONG' },
        { field: null, message: 'And more.', code: 'INVALID' },
      ],
    });
  });

  it('lets every other error through', async () => {
    await expect(
      withUserErrors(async () => {
        throw new Error('database down');
      }, {}),
    ).rejects.toThrow('database down');
  });

  it('outside a payload reaches the client as BAD_USER_INPUT naming the first field', async () => {
    const schema = buildSchema('type Query { suggestion: String }');
    const result = await graphql({
      schema,
      source: '{ suggestion }',
      rootValue: {
        suggestion: () => {
          throw new UserInputError([
            userError(null, 'Something is off.'),
            userError(['preferences', 'interests'], 'At most 10 interests.', 'TOO_MANY'),
          ]);
        },
      },
    });
    const format = createErrorFormatter({ requestId: () => 'req-user-input' });
    const error = result.errors![0]!;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(format(error.toJSON(), error)).toEqual({
      message: 'Something is off. At most 10 interests.',
      locations: [{ line: 1, column: 3 }],
      path: ['suggestion'],
      extensions: {
        code: 'BAD_USER_INPUT',
        field: ['preferences', 'interests'],
        requestId: 'req-user-input',
      },
    });
  });
});
