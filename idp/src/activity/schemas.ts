/** Input schemas of the activity routes (portal page and account API), with messages for people (catalog keys, msg()). */
import { z } from 'zod';
import { msg } from '../i18n/translator.ts';
import { ACTIVITY_PAGE_DEFAULT, ACTIVITY_PAGE_MAX } from './types.ts';

const BAD_CURSOR = msg('The page cursor is not valid. Start again from the first page.');
// The sentence names ACTIVITY_PAGE_MAX (a field message takes no {{params}}): `satisfies 100` below
// stops compiling if the two part.
const BAD_PAGE_SIZE = msg('The page size must be a whole number from 1 to 100.');

/** A position in the list: the id of the last entry of the previous page. */
export const cursorField = z
  .string({ error: BAD_CURSOR })
  .regex(/^[1-9][0-9]{0,14}$/, BAD_CURSOR)
  .transform(Number)
  .optional();

export const activityQuery = z.object({
  cursor: cursorField,
  limit: z
    .string({ error: BAD_PAGE_SIZE })
    .regex(/^[0-9]{1,3}$/, BAD_PAGE_SIZE)
    .transform(Number)
    .refine((n) => n >= 1 && n <= (ACTIVITY_PAGE_MAX satisfies 100), BAD_PAGE_SIZE)
    .optional()
    .transform((n) => n ?? ACTIVITY_PAGE_DEFAULT),
});
