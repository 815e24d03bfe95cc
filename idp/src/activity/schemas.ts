/** Input schemas of the activity routes (portal page and account API), with messages for people. */
import { z } from 'zod';
import { ACTIVITY_PAGE_DEFAULT, ACTIVITY_PAGE_MAX } from './types.ts';

/** A position in the list: the id of the last entry of the previous page. */
export const cursorField = z
  .string({ error: 'The page cursor is not valid. Start again from the first page.' })
  .regex(/^[1-9][0-9]{0,14}$/, 'The page cursor is not valid. Start again from the first page.')
  .transform(Number)
  .optional();

export const activityQuery = z.object({
  cursor: cursorField,
  limit: z
    .string({ error: `The page size must be a whole number from 1 to ${ACTIVITY_PAGE_MAX}.` })
    .regex(/^[0-9]{1,3}$/, `The page size must be a whole number from 1 to ${ACTIVITY_PAGE_MAX}.`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= ACTIVITY_PAGE_MAX, `The page size must be a whole number from 1 to ${ACTIVITY_PAGE_MAX}.`)
    .optional()
    .transform((n) => n ?? ACTIVITY_PAGE_DEFAULT),
});
