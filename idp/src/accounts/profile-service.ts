/**
 * Account Information: name, language, time zone, and the email change flow. A new email takes effect
 * only when the link sent to it is opened; the old address is told at the request and at the change.
 * Changing the account email never changes a database user's sign-in login (databases keep their own).
 */
import { AppError } from '../errors.ts';
import { msg } from '../i18n/translator.ts';
import type { SecurityNotifier } from '../security/notifications.ts';
import type { AuditRepository } from '../security/audit-repository.ts';
import type { RateLimiter } from '../security/rate-limiter.ts';
import { ABUSE_LIMITS, refuseOverLimit } from '../security/abuse-limits.ts';
import { randomToken, sha256 } from '../security/tokens.ts';
import { nowSeconds } from '../clock.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { AccountRepository } from './account-repository.ts';
import { linkForAnotherAccount, normalizeEmail } from './account-service.ts';
import type { Account } from './types.ts';

const CHANGE_EMAIL_TTL = 24 * 3600;

export const LANGUAGES: Record<string, string> = {
  en: 'English', fr: 'Français', de: 'Deutsch', es: 'Español', nl: 'Nederlands', it: 'Italiano', pt: 'Português',
};

export function isTimeZone(value: string): boolean {
  return value === 'UTC' || Intl.supportedValuesOf('timeZone').includes(value);
}

export function profileService(deps: { accounts: AccountRepository; outbox: Outbox; notifier: SecurityNotifier; limiter: RateLimiter; audit: AuditRepository }) {
  const { accounts, audit } = deps;
  return {
    async updateDetails(account: Account, input: { name: string; locale: string; timezone: string }): Promise<Account> {
      if (!(input.locale in LANGUAGES)) throw new AppError('invalid_input', 'Choose a language from the list.', { fields: { locale: msg('Choose a language from the list.') } });
      if (!isTimeZone(input.timezone)) throw new AppError('invalid_input', 'Choose a time zone from the list, like Europe/Brussels.', { fields: { timezone: msg('Unknown time zone.') } });
      await accounts.update(account.id, { name: input.name.trim(), locale: input.locale, timezone: input.timezone }, nowSeconds());
      await audit.record({ accountId: account.id, actor: account.id, event: 'account.details_changed' });
      return (await accounts.findById(account.id))!;
    },

    async requestEmailChange(account: Account, newEmailInput: string): Promise<void> {
      const email = normalizeEmail(newEmailInput);
      if (email === account.email) throw new AppError('invalid_input', 'That is already your email address.', { fields: { email: msg('That is already your email address.') } });
      await refuseOverLimit(deps.limiter, [[`change_email:${account.id}`, ABUSE_LIMITS.emailChangeMailsPerAccount]]);
      const now = nowSeconds();
      await accounts.invalidateTokens(account.id, 'change_email', now);
      const token = randomToken();
      await accounts.insertToken(sha256(token), account.id, 'change_email', now + CHANGE_EMAIL_TTL, { email, from: account.email });
      await audit.record({ accountId: account.id, actor: account.id, event: 'email.change_requested', data: { email } });
      await deps.outbox.send({ email, locale: account.locale }, 'confirmNewEmail', { name: account.name, email, token });
      await deps.notifier.emailChangeRequested(account, email);
    },

    /** What an email change link would do, or undefined when it is dead (the page names the account first). */
    async peekEmailChange(token: string): Promise<{ accountId: string; email: string } | undefined> {
      const peek = await accounts.peekToken(sha256(token), 'change_email', nowSeconds());
      return peek && typeof peek.data.email === 'string' ? { accountId: peek.accountId, email: peek.data.email } : undefined;
    },

    /**
     * Makes the new address the account's, for `signedInAccountId` only: the mailbox proves the address,
     * the session proves which account asked. Someone who asks to move their own account to your address
     * cannot get it by you opening the link (issue 13, finding 6).
     */
    async confirmEmailChange(token: string, signedInAccountId: string): Promise<Account> {
      const now = nowSeconds();
      const gone = new AppError('gone', 'This confirmation link is invalid, was already used or has expired. Ask for the change again.');
      const peek = await accounts.peekToken(sha256(token), 'change_email', now);
      if (peek && peek.accountId !== signedInAccountId) throw linkForAnotherAccount();
      const result = await accounts.transaction(async () => {
        const used = await accounts.consumeToken(sha256(token), 'change_email', now);
        if (used && used.accountId !== signedInAccountId) throw linkForAnotherAccount();
        const account = used && await accounts.findById(used.accountId);
        if (!account || typeof used.data.email !== 'string' || used.data.from !== account.email) throw gone;
        const email = used.data.email;
        const owner = await accounts.findByEmail(email);
        if (owner && owner.id !== account.id) {
          throw new AppError('conflict', 'Another account already uses this email address, so it cannot be yours too.');
        }
        await accounts.update(account.id, { email, emailVerifiedAt: now }, now);
        // Links mailed to the old address (reset, confirm) must not work once it is no longer ours.
        await accounts.invalidateTokens(account.id, 'reset_password', now);
        await accounts.invalidateTokens(account.id, 'verify_email', now);
        return { before: account, after: (await accounts.findById(account.id))! };
      });
      await audit.record({ accountId: result.after.id, actor: result.after.id, event: 'email.changed', data: { from: result.before.email, to: result.after.email } });
      await deps.notifier.emailChanged(result.before, result.after.email);
      return result.after;
    },
  };
}

export type ProfileService = ReturnType<typeof profileService>;
