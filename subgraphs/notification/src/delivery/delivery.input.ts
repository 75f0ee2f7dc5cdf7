import { z } from 'zod';

/** notificationStats' arguments: a window of 1 to 365 days, a week by default. */
export const notificationStatsArguments = z.object({
  days: z
    .number()
    .nullish()
    .transform((days) => days ?? 7)
    .refine((days) => Number.isInteger(days) && days >= 1 && days <= 365, {
      message: '"days" must be between 1 and 365.',
    }),
});
