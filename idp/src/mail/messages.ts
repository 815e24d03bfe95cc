/**
 * Every mail the IdP sends: subject and plain text, one function per message, of typed data. Callers
 * (accounts, security, databases, API keys) never write prose; they name a message and pass its data
 * through the outbox (outbox.ts), which adds the issuer and the time of sending.
 *
 * Security notices tell what happened, when and from where, and what to do if it was not the account
 * holder. One-time links carry the token in clear: only its digest is stored.
 */

export interface Message {
  subject: string;
  text: string;
}

/** Added by the outbox to every message's data. */
export interface Site {
  /** The IdP's public URL, without a trailing slash. */
  issuer: string;
  /** When the mail is written (seconds since the epoch, by the IdP's clock). */
  at: number;
}

/** Where an action came from, as far as the IdP saw it. */
export interface SeenFrom {
  ip?: string | null;
  /** Readable browser and OS, e.g. "Chrome 130 on Linux". */
  device?: string;
}

const utc = (seconds: number) => new Date(seconds * 1000).toUTCString();
const where = (from?: SeenFrom) => [from?.device, from?.ip ? `IP address ${from.ip}` : undefined].filter(Boolean).join(', ');
const seen = (from?: SeenFrom) => (from ? ` (${where(from)})` : '');
const hello = (name: string, body: string) => `Hello ${name},\n\n${body}\n`;
const notYou = (site: Site) => `If it was not you, reset your password at ${site.issuer}/password/forgot and review ${site.issuer}/my/security.`;
const apiKeysFooter = (site: Site) => `You can see and revoke your API keys at ${site.issuer}/my/security/api-keys.\nIf this was not you, revoke the key, change your password and contact support.`;

interface Named {
  /** The account holder's name, for the greeting. */
  name: string;
}

export const messages = {
  // Accounts: sign-up, email confirmation, password reset links.
  verifyEmail: (d: Site & Named & { token: string }): Message => ({
    subject: 'Confirm your email address',
    text: hello(d.name, `Confirm your email address by opening this link within 48 hours:\n${d.issuer}/verify-email?token=${d.token}\n\nIf you did not create an account, ignore this message.`),
  }),
  signUpWithTakenAddress: (d: Site & Named): Message => ({
    subject: 'Someone tried to create an account with your address',
    text: hello(d.name, `Someone tried to create a new account with this email address, which already has one.\nIf it was you, sign in at ${d.issuer}/my/login or reset your password at ${d.issuer}/password/forgot.\nIf not, you can ignore this message.`),
  }),
  passwordResetLink: (d: Site & Named & { token: string }): Message => ({
    subject: 'Reset your password',
    text: hello(d.name, `Someone asked to reset the password of your account. To choose a new password, open this link within one hour:\n${d.issuer}/password/reset?token=${d.token}\n\nIf it was not you, ignore this message: your password stays as it is.`),
  }),
  confirmNewEmail: (d: Site & Named & { email: string; token: string }): Message => ({
    subject: 'Confirm your new email address',
    text: hello(d.name, `To make ${d.email} the email address of your account, open this link within 24 hours:\n${d.issuer}/my/account/email/confirm?token=${d.token}\n\nIf you did not ask for this, ignore this message.`),
  }),

  // Security notices.
  passwordChanged: (d: Site & Named & { from?: SeenFrom }): Message => ({
    subject: 'Your password was changed',
    text: hello(d.name, `The password of your account was changed on ${utc(d.at)}${seen(d.from)}.\nEvery other device was signed out.\n${notYou(d)}`),
  }),
  passwordReset: (d: Site & Named): Message => ({
    subject: 'Your password was changed',
    text: hello(d.name, `The password of your account was just reset. Every device was signed out.\nIf it was not you, reset your password again at ${d.issuer}/password/forgot and contact support.`),
  }),
  emailChanged: (d: Site & Named & { newEmail: string }): Message => ({
    subject: 'Your account email was changed',
    text: hello(d.name, `The email address of your account was changed to ${d.newEmail} on ${utc(d.at)}.\nYour sign-in logins on databases did not change.\n${notYou(d)}`),
  }),
  emailChangeRequested: (d: Site & Named & { newEmail: string }): Message => ({
    subject: 'A change of your account email was requested',
    text: hello(d.name, `Someone signed in to your account asked to change its email address to ${d.newEmail} on ${utc(d.at)}.\nNothing changes until the new address is confirmed.\n${notYou(d)}`),
  }),
  twoFactorEnabled: (d: Site & Named): Message => ({
    subject: 'Two-factor authentication is on',
    text: hello(d.name, `Two-factor authentication was turned on for your account on ${utc(d.at)}.\n${notYou(d)}`),
  }),
  twoFactorDisabled: (d: Site & Named): Message => ({
    subject: 'Two-factor authentication is off',
    text: hello(d.name, `Two-factor authentication was turned off for your account on ${utc(d.at)}. Signing in now needs only your password.\n${notYou(d)}`),
  }),
  recoveryCodeUsed: (d: Site & Named & { left: number; from?: SeenFrom }): Message => ({
    subject: 'A recovery code was used',
    text: hello(d.name, `A recovery code was used to sign in to your account on ${utc(d.at)}${seen(d.from)}. ${d.left} recovery code(s) are left.\n${notYou(d)}`),
  }),
  recoveryCodesRegenerated: (d: Site & Named): Message => ({
    subject: 'New recovery codes were created',
    text: hello(d.name, `New recovery codes were created for your account on ${utc(d.at)}; the old ones no longer work.\n${notYou(d)}`),
  }),
  newDeviceSignIn: (d: Site & Named & { from: SeenFrom; lockdownToken?: string }): Message => ({
    subject: 'New sign-in to your account',
    text: hello(d.name, `Your account was signed in to from a new device on ${utc(d.at)}: ${where(d.from) || 'unknown device'}.\nIf it was you, there is nothing to do.\n${d.lockdownToken
      ? `If it was not you, secure your account: this link (valid 7 days, once) signs everyone out, revokes your API keys and locks sign-in until you choose a new password:\n${d.issuer}/lockdown?token=${d.lockdownToken}\nThen review ${d.issuer}/my/security/activity.`
      : notYou(d)}`),
  }),
  lockdownStarted: (d: Site & Named & { token: string }): Message => ({
    subject: 'Your account is secured: choose a new password',
    text: hello(d.name, `Your account was secured on ${utc(d.at)}: every device was signed out, every API key revoked, and sign-in is refused until you choose a new password.\nChoose it with this link within 24 hours:\n${d.issuer}/password/reset?token=${d.token}\n\nIf the link expired, ask for a new one at ${d.issuer}/password/forgot. Then review ${d.issuer}/my/security/activity.`),
  }),
  supportAction: (d: Site & Named & { what: string; reason: string }): Message => ({
    subject: 'Support made a change to your account',
    text: hello(d.name, `On ${utc(d.at)}, Latchkey support ${d.what}.\nReason given: ${d.reason}\n\nYou can see it in ${d.issuer}/my/security/activity. If you did not ask for this, reply to this mail or contact support.`),
  }),
  accountDeleted: (d: Site & Named): Message => ({
    subject: 'Your account was deleted',
    text: hello(d.name, `Your account and everything attached to it were deleted on ${utc(d.at)}. This cannot be undone.\nYou can create a new account with this address at any time.\n`),
  }),

  // Databases.
  databaseInvitation: (d: Site & { database: string; url: string; login: string; token: string }): Message => ({
    subject: `You are invited to ${d.database}`,
    text: `Hello,\n\nYou are invited to join the database ${d.database} (${d.url}).\nOpen this link within 14 days to accept; sign in with, or create, an account with this email address (${d.login}):\n${d.issuer}/my/invitations?token=${d.token}\n\nIf you do not expect this, ignore this message.\n`,
  }),

  // API keys.
  apiKeyCreated: (d: Site & Named & { description: string; visibleId: string; scope: string; expiresAt: number }): Message => ({
    subject: 'A new API key was added to your account',
    text: hello(d.name, `A new API key "${d.description}" (${d.visibleId}, ${d.scope}) was added to your account. It expires on ${new Date(d.expiresAt * 1000).toISOString().slice(0, 10)}.\n\n${apiKeysFooter(d)}`),
  }),
  apiKeyRotated: (d: Site & Named & { description: string; visibleId: string; previousExpiresAt?: number }): Message => ({
    subject: 'One of your API keys was rotated',
    text: hello(d.name, `The API key "${d.description}" (${d.visibleId}) got a new secret. ${d.previousExpiresAt === undefined ? 'The previous secret stopped working at once.' : `The previous secret keeps working until ${new Date(d.previousExpiresAt * 1000).toISOString()}.`}\n\n${apiKeysFooter(d)}`),
  }),
} satisfies Record<string, (data: never) => Message>;

export type MessageName = keyof typeof messages;
/** The data a message needs from its caller (the outbox adds the `Site` part). */
export type MessageData<K extends MessageName> = Omit<Parameters<(typeof messages)[K]>[0], keyof Site>;
