/**
 * Security notices to the account holder, one function per event; the text of each is in
 * mail/messages.ts. The credential lifecycle, two-factor, profile and deletion services and the
 * sign-in interaction tell the person through here.
 */
import type { Outbox } from '../mail/outbox.ts';
import type { ResetEnded, SeenFrom } from '../mail/messages.ts';

export type { SeenFrom } from '../mail/messages.ts';

export interface Recipient {
  email: string;
  name: string;
  /** The account's language: the mail is written in it. */
  locale?: string;
}

export function securityNotifier(deps: { outbox: Outbox }) {
  const { outbox } = deps;
  return {
    passwordChanged: (to: Recipient, from?: SeenFrom, revokedApiKeys?: number) => outbox.send(to, 'passwordChanged', { name: to.name, from, revokedApiKeys }),
    passwordReset: (to: Recipient, ended?: ResetEnded, passkeys?: { removed: string[]; kept: string[] }) =>
      outbox.send(to, 'passwordReset', { name: to.name, ended, passkeysRemoved: passkeys?.removed, passkeysKept: passkeys?.kept }),
    emailChanged: (to: Recipient, newEmail: string) => outbox.send(to, 'emailChanged', { name: to.name, newEmail }),
    emailChangeRequested: (to: Recipient, newEmail: string) => outbox.send(to, 'emailChangeRequested', { name: to.name, newEmail }),
    twoFactorEnabled: (to: Recipient) => outbox.send(to, 'twoFactorEnabled', { name: to.name }),
    twoFactorDisabled: (to: Recipient) => outbox.send(to, 'twoFactorDisabled', { name: to.name }),
    recoveryCodeUsed: (to: Recipient, left: number, from?: SeenFrom) => outbox.send(to, 'recoveryCodeUsed', { name: to.name, left, from }),
    recoveryCodesRegenerated: (to: Recipient) => outbox.send(to, 'recoveryCodesRegenerated', { name: to.name }),
    /** `lockdownToken`: a one-time "this wasn't me" link (lockdown.ts) for the mail. */
    newDeviceSignIn: (to: Recipient, from: SeenFrom, lockdownToken?: string) => outbox.send(to, 'newDeviceSignIn', { name: to.name, from, lockdownToken }),
    accountDeleted: (to: Recipient) => outbox.send(to, 'accountDeleted', { name: to.name }),
  };
}

export type SecurityNotifier = ReturnType<typeof securityNotifier>;
