/**
 * Reusable input schemas with messages written for people. Each message is a catalog key (`msg`): the
 * error handler shows it in the request's language.
 */
import { z } from 'zod';
import { msg } from './i18n/translator.ts';

/** Control characters (C0, DEL and C1: `\p{Cc}`) have no place in a name or a description people read. */
export function hasControlCharacters(value: string): boolean {
  return /\p{Cc}/u.test(value);
}

export const emailField = z
  .string({ error: msg('Enter your email address.') })
  .trim()
  .min(1, msg('Enter your email address.'))
  .max(254, msg('That email address is too long.'))
  .pipe(z.email({ error: msg('Enter a valid email address, like name@example.com.') }));

export const passwordField = z
  .string({ error: msg('Enter your password.') })
  .min(1, msg('Enter your password.'))
  .max(1024, msg('That password is too long.'));

/** One line a person types and others read: trimmed, 1 to `max` characters, no control characters. */
export function typedText(max: number, says: { missing: string; empty: string; tooLong: string; notAllowed: string }) {
  return z.string({ error: says.missing }).trim().min(1, says.empty).max(max, says.tooLong).refine((v) => !hasControlCharacters(v), says.notAllowed);
}

export const nameField = typedText(120, {
  missing: msg('Enter your name.'),
  empty: msg('Enter your name.'),
  tooLong: msg('Use at most 120 characters for your name.'),
  notAllowed: msg('Your name contains characters that are not allowed.'),
});

export const tokenField = z
  .string({ error: msg('This link is incomplete. Open the link from the mail again.') })
  .regex(/^[A-Za-z0-9_-]{20,100}$/, msg('This link is incomplete. Open the link from the mail again.'));

/** A same-site path to return to after sign-in; anything else is dropped (no open redirect). */
export const returnToField = z
  .string({ error: msg('The address to return to is not valid.') })
  .max(2000, msg('The address to return to is too long.'))
  .optional()
  .transform((v) => (v && /^\/(?![/\\])[\x21-\x7e]*$/.test(v) ? v : undefined));

/** The body of a form whose only field is its CSRF token (a button): declared so every POST has a schema. */
export const buttonForm = z.object({});

/** `?done=…` on a page a form redirected to: which notice to show; anything odd shows none (never a 400). */
export const doneQuery = z.object({ done: z.string().max(40).optional().catch(undefined) });
