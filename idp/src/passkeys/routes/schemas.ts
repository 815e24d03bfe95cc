/** Input schemas of the passkey routes, with messages for people. The passkey answers themselves are checked by the service (passkey-service.ts). */
import { z } from 'zod';
import { hasControlCharacters } from '../../fields.ts';
import { msg } from '../../i18n/translator.ts';

export const passkeyNameField = z
  .string({ error: msg('Enter a name for the passkey.') })
  .trim()
  .max(60, msg('Use at most 60 characters for the name of a passkey.'))
  .refine((v) => !hasControlCharacters(v), msg('The name contains characters that are not allowed.'));

export const passkeyIdParam = z.object({
  id: z.string().regex(/^pk_[A-Za-z0-9_-]{8,40}$/, msg('That passkey does not exist (it may have been deleted already).')),
});

/** A passkey answer as sent in a form field (JSON text) or a JSON body (object); the service reads it. */
const answerField = z.union([z.string().max(40_000, msg('The answer from your passkey is too large.')), z.record(z.string(), z.unknown())]).optional();

/** The options calls take no input besides the CSRF token. */
export const optionsInput = z.object({ _csrf: z.string().max(200).optional() });

export const addInput = z.object({ name: passkeyNameField.optional(), response: answerField });

export const renameInput = z.object({ name: passkeyNameField.pipe(z.string().min(1, msg('Enter a name for the passkey.'))) });

export const signInInput = z.object({ response: answerField });
