/**
 * Security notices to the account holder, one function per event; the text of each is in
 * mail/messages.ts. The credential lifecycle, two-factor, profile and deletion services and the
 * sign-in interaction tell the person through here.
 */
import type { Outbox } from '../mail/outbox.ts';
import type { SeenFrom } from '../mail/messages.ts';

export type { SeenFrom } from '../mail/messages.ts';

export interface Recipient {
  email: string;
  name: string;
}

export function securityNotifier(deps: { outbox: Outbox }) {
  const { outbox } = deps;
  return {
    passwordChanged: (to: Recipient, from?: SeenFrom) => outbox.send(to.email, 'passwordChanged', { name: to.name, from }),
    passwordReset: (to: Recipient) => outbox.send(to.email, 'passwordReset', { name: to.name }),
    emailChanged: (to: Recipient, newEmail: string) => outbox.send(to.email, 'emailChanged', { name: to.name, newEmail }),
    emailChangeRequested: (to: Recipient, newEmail: string) => outbox.send(to.email, 'emailChangeRequested', { name: to.name, newEmail }),
    twoFactorEnabled: (to: Recipient) => outbox.send(to.email, 'twoFactorEnabled', { name: to.name }),
    twoFactorDisabled: (to: Recipient) => outbox.send(to.email, 'twoFactorDisabled', { name: to.name }),
    recoveryCodeUsed: (to: Recipient, left: number, from?: SeenFrom) => outbox.send(to.email, 'recoveryCodeUsed', { name: to.name, left, from }),
    recoveryCodesRegenerated: (to: Recipient) => outbox.send(to.email, 'recoveryCodesRegenerated', { name: to.name }),
    /** `lockdownToken`: a one-time "this wasn't me" link (lockdown.ts) for the mail. */
    newDeviceSignIn: (to: Recipient, from: SeenFrom, lockdownToken?: string) => outbox.send(to.email, 'newDeviceSignIn', { name: to.name, from, lockdownToken }),
    accountDeleted: (to: Recipient) => outbox.send(to.email, 'accountDeleted', { name: to.name }),
  };
}

export type SecurityNotifier = ReturnType<typeof securityNotifier>;
