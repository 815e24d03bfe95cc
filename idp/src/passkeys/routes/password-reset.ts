/**
 * The passkey part of a password reset (account recovery): the reset form lists the account's passkeys,
 * each ticked for removal, and the reset removes the ticked ones; the confirmation mail and page name
 * what was removed and what was kept. The removal itself is the credential lifecycle's (security/
 * credential-lifecycle.ts); the token is only peeked here, the reset spends it.
 */
import { z } from 'zod';
import type { Services } from '../../services.ts';
import { nowSeconds } from '../../clock.ts';
import { sha256 } from '../../security/tokens.ts';
import { msg, type Translate } from '../../i18n/translator.ts';
import type { Passkey } from '../types.ts';

/** `remove_passkey` (one checkbox per passkey): absent, one id or several. */
export const removePasskeysField = z
  .union([z.string(), z.array(z.string()).max(40, msg('Too many passkeys were named.'))])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().regex(/^pk_[A-Za-z0-9_-]{8,40}$/, msg('A passkey named in the form does not exist. Reload the page.'))));

/** The passkeys of the account a live reset link is for, and that account's time zone (their dates are shown in it). */
export async function passkeysOfResetToken(services: Services, token: string): Promise<{ passkeys: Passkey[]; timeZone?: string }> {
  const live = await services.accountsRepo.peekToken(sha256(token), 'reset_password', nowSeconds());
  if (!live) return { passkeys: [] };
  const [passkeys, account] = await Promise.all([services.passkeys.list(live.accountId), services.accountsRepo.findById(live.accountId)]);
  return { passkeys, timeZone: account?.timezone };
}

/** The sentences of the reset's confirmation page about passkeys (the mail says the same, see mail/messages.ts). */
export function passkeyLines(t: Translate, removed: Passkey[], kept: Passkey[]): string[] {
  const names = (list: Passkey[]) => list.map((p) => t('"{{name}}"', { name: p.name })).join(', ');
  return [
    removed.length > 0 ? t('Passkeys removed: {{names}}.', { names: names(removed) }) : undefined,
    kept.length > 0 ? t('Passkeys kept (they can still sign in): {{names}}.', { names: names(kept) }) : undefined,
  ].filter((line): line is string => line !== undefined);
}
