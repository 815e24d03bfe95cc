/** Input schemas of the web routes; every message is shown to people as is. */
import { z } from 'zod';

const text = (required: string) => z.string({ error: required });

export const returnTo = z
  .string({ error: 'The return address is not valid.' })
  .max(200, 'The return address is too long.')
  .refine((value) => /^\/(?![/\\])[\x21-\x7e]*$/.test(value), 'The return address must be a path on this site.')
  .optional()
  .transform((value) => value ?? '/');

export const email = text('Enter an email address.')
  .trim()
  .min(1, 'Enter an email address.')
  .max(254, 'The email address is too long.')
  .pipe(z.email('Enter a valid email address, such as name@example.com.'));

export const notice = z.enum(['signed-out', 'password-set', 'password-cleared', 'preferences-saved']).optional().catch(undefined);

export const noticeMessages: Record<NonNullable<z.output<typeof notice>>, string> = {
  'signed-out': 'You are signed out.',
  'password-set': 'Your database password is set. Your account password still works here too.',
  'password-cleared': 'Your database password is removed. Sign in with your account password.',
  'preferences-saved': 'Your preferences are saved.',
};

export const loginQuery = z.object({ return_to: returnTo.catch('/'), notice });

export const ssoForm = z.object({ return_to: returnTo });

export const passwordSignInForm = z.object({
  email,
  password: text('Enter your password.').min(1, 'Enter your password.').max(1024, 'The password is too long.'),
  return_to: returnTo,
});

export const callbackQuery = z.looseObject({
  state: text('The sign-in answer is incomplete (no state). Please start signing in again.').max(512),
  error: z.string().max(200).optional(),
});

export const setPasswordForm = z
  .object({
    password: text('Enter a new password.').max(1024, 'The password is too long (at most 1024 characters).'),
    confirm: text('Repeat the new password.'),
  })
  .refine((form) => form.password === form.confirm, 'The two passwords do not match.');

export const preferencesForm = z.object({ email });

export const settingsQuery = z.object({ notice });

export const logoutTokenForm = z.object({
  logout_token: z
    .string({ error: 'The logout_token parameter is required.' })
    .min(1, 'The logout_token parameter is required.')
    .max(16_384, 'The logout_token is too long.'),
});

export const noteInput = z.object(
  {
    text: z
      .string({ error: 'Send a JSON body like {"text": "..."}.' })
      .trim()
      .min(1, 'The note text must not be empty.')
      .max(2000, 'The note text must be at most 2000 characters.'),
  },
  { error: 'Send a JSON body like {"text": "..."}.' },
);
