import { GraphQLError } from 'graphql';
import { ErrorCode, type UserError } from '../errors.ts';

/**
 * An expected failure the client can fix, thrown from wherever it is found (a validation, a
 * check under a row lock inside a transaction, which the throw also rolls back). A mutation
 * answers it as payload `userErrors` (see withUserErrors); anywhere else it reaches the client
 * as a BAD_USER_INPUT error naming the first field, because it is a coded GraphQLError.
 */
export class UserInputError extends GraphQLError {
  readonly userErrors: UserError[];

  constructor(userErrors: UserError[]) {
    const field = userErrors.find((error) => error.field)?.field;
    super(userErrors.map((error) => error.message).join(' '), {
      extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field ? { field } : {}) },
    });
    this.name = 'UserInputError';
    this.userErrors = userErrors;
  }
}

/** Refuses the request with these user errors: `throw rejectInput(...)`, or let it throw. */
export function rejectInput(...userErrors: UserError[]): never {
  throw new UserInputError(userErrors);
}

export type Payload<T extends object> = T & { userErrors: UserError[] };

/**
 * A mutation's payload: what `work` returns with no user errors, or `failed` with the user
 * errors of a UserInputError `work` threw. Any other error propagates.
 */
export async function withUserErrors<T extends object, F extends object>(
  work: () => Promise<T>,
  failed: F,
): Promise<Payload<T> | Payload<F>> {
  try {
    return { ...(await work()), userErrors: [] };
  } catch (error) {
    if (error instanceof UserInputError) return { ...failed, userErrors: error.userErrors };
    throw error;
  }
}
