/**
 * Password rules after NIST SP 800-63B: length only (8 to 256, so long passphrases fit), no composition
 * rules, never equal to or containing the account's email or its local part, and never one of the most
 * common passwords (the offline list of @zxcvbn-ts/language-common, about 49,000 entries from public
 * breach corpora, compared case-insensitively).
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { AppError, type MessageParams } from '../errors.ts';
import { msg } from '../i18n/translator.ts';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

let common: Set<string> | undefined;

/** True when the password is on the common/breached list (loaded once, on first use). */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'].filter((p) => p.length >= PASSWORD_MIN).map((p) => p.toLowerCase()));
  return common.has(password.toLowerCase());
}

function refuse(field: string, message: string, params?: MessageParams): never {
  throw new AppError('invalid_input', message, { params, fields: { [field]: message } });
}

export function checkPassword(password: string, email: string, field = 'password'): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN) refuse(field, msg('Use at least {{count}} characters.'), { count: PASSWORD_MIN });
  if (length > PASSWORD_MAX) refuse(field, msg('Use at most {{count}} characters.'), { count: PASSWORD_MAX });
  const lower = password.toLowerCase();
  const mail = email.toLowerCase();
  const local = mail.split('@')[0] ?? '';
  if (lower.includes(mail) || (local.length >= 4 && lower.includes(local))) {
    refuse(field, msg('Your password must not contain your email address.'));
  }
  if (isCommonPassword(password)) {
    refuse(field, msg('This password is one of the most common ones and is easy to guess. Choose another, a passphrase of a few words works well.'));
  }
}
