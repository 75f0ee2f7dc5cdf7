import { z } from 'zod';

const wholeNumberBetween = (field: string, min: number, max: number) =>
  z.number().refine((value) => Number.isInteger(value) && value >= min && value <= max, {
    error: (issue) => `${field} must be between ${min} and ${max}; got ${String(issue.input)}.`,
  });

/** searchDemand's arguments: a window of 1 to 365 days, 1 to 100 destinations. */
export const searchDemandArguments = z.object({
  days: wholeNumberBetween('days', 1, 365),
  first: wholeNumberBetween('first', 1, 100),
});
