/**
 * Password rules after NIST SP 800-63B: length only (8 to 256), no composition rules, and never equal
 * to or containing the account's email or its local part.
 */
import { AppError } from '../errors.ts';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

export function checkPassword(password: string, email: string, field = 'password'): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN) {
    throw new AppError('invalid_input', `Use at least ${PASSWORD_MIN} characters.`, { fields: { [field]: `Use at least ${PASSWORD_MIN} characters.` } });
  }
  if (length > PASSWORD_MAX) {
    throw new AppError('invalid_input', `Use at most ${PASSWORD_MAX} characters.`, { fields: { [field]: `Use at most ${PASSWORD_MAX} characters.` } });
  }
  const lower = password.toLowerCase();
  const mail = email.toLowerCase();
  const local = mail.split('@')[0] ?? '';
  if (lower.includes(mail) || (local.length >= 4 && lower.includes(local))) {
    const message = 'Your password must not contain your email address.';
    throw new AppError('invalid_input', message, { fields: { [field]: message } });
  }
}
