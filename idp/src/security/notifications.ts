/**
 * Security notification mails: one function per event, all plain text, each telling what happened,
 * when and from where, and what to do if it was not the account holder. Exported for other modules
 * (API keys call `apiKeyCreated`).
 */
import type { Mailer } from '../mail/mailer.ts';
import { nowSeconds } from '../clock.ts';

export interface Recipient {
  email: string;
  name: string;
}

export interface SeenFrom {
  ip?: string | null;
  /** Readable browser and OS, e.g. "Chrome 130 on Linux". */
  device?: string;
}

export function securityNotifier(deps: { mailer: Mailer; issuer: () => string }) {
  const { mailer } = deps;
  const when = () => new Date(nowSeconds() * 1000).toUTCString();
  const where = (from?: SeenFrom) => [from?.device, from?.ip ? `IP address ${from.ip}` : undefined].filter(Boolean).join(', ');
  const notYou = () => `If it was not you, reset your password at ${deps.issuer()}/password/forgot and review ${deps.issuer()}/my/security.`;
  const send = (to: Recipient, subject: string, body: string) =>
    mailer.send({ to: to.email, subject, text: `Hello ${to.name},\n\n${body}\n` });

  return {
    passwordChanged: (to: Recipient, from?: SeenFrom) =>
      send(to, 'Your password was changed', `The password of your account was changed on ${when()}${from ? ` (${where(from)})` : ''}.\nEvery other device was signed out.\n${notYou()}`),
    emailChanged: (to: Recipient, newEmail: string) =>
      send(to, 'Your account email was changed', `The email address of your account was changed to ${newEmail} on ${when()}.\nYour sign-in logins on databases did not change.\n${notYou()}`),
    emailChangeRequested: (to: Recipient, newEmail: string) =>
      send(to, 'A change of your account email was requested', `Someone signed in to your account asked to change its email address to ${newEmail} on ${when()}.\nNothing changes until the new address is confirmed.\n${notYou()}`),
    twoFactorEnabled: (to: Recipient) =>
      send(to, 'Two-factor authentication is on', `Two-factor authentication was turned on for your account on ${when()}.\n${notYou()}`),
    twoFactorDisabled: (to: Recipient) =>
      send(to, 'Two-factor authentication is off', `Two-factor authentication was turned off for your account on ${when()}. Signing in now needs only your password.\n${notYou()}`),
    recoveryCodeUsed: (to: Recipient, left: number, from?: SeenFrom) =>
      send(to, 'A recovery code was used', `A recovery code was used to sign in to your account on ${when()}${from ? ` (${where(from)})` : ''}. ${left} recovery code(s) are left.\n${notYou()}`),
    recoveryCodesRegenerated: (to: Recipient) =>
      send(to, 'New recovery codes were created', `New recovery codes were created for your account on ${when()}; the old ones no longer work.\n${notYou()}`),
    newDeviceSignIn: (to: Recipient, from: SeenFrom) =>
      send(to, 'New sign-in to your account', `Your account was signed in to from a new device on ${when()}: ${where(from) || 'unknown device'}.\nIf it was you, there is nothing to do.\n${notYou()}`),
    apiKeyCreated: (to: Recipient, description: string, expiresAt?: number) =>
      send(to, 'A new API key was created', `An API key "${description}" was created for your account on ${when()}${expiresAt ? `; it expires on ${new Date(expiresAt * 1000).toUTCString()}` : ''}.\n${notYou()}`),
    accountDeleted: (to: Recipient) =>
      send(to, 'Your account was deleted', `Your account and everything attached to it were deleted on ${when()}. This cannot be undone.\nYou can create a new account with this address at any time.\n`),
  };
}

export type SecurityNotifier = ReturnType<typeof securityNotifier>;
