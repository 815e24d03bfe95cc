/**
 * Every mail the IdP sends: subject and plain text, one function per message, of typed data. Callers
 * (accounts, security, databases, API keys) never write prose; they name a message and pass its data
 * through the outbox (outbox.ts), which adds the issuer, the time of sending and the recipient's language.
 *
 * Security notices tell what happened, when and from where, and what to do if it was not the account
 * holder. One-time links carry the token in clear: only its digest is stored.
 *
 * Every sentence is a catalog key (idp/src/i18n), written with `d.t`, the recipient's language; a link
 * or a piece of data is never part of a sentence's key, so no translation can break a link.
 */
import type { Translate } from '../i18n/translator.ts';
import { deviceLabel } from '../security/user-agent.ts';

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
  /** The recipient's language (their account's locale, else the deployment's default). */
  t: Translate;
}

/** Where an action came from, as far as the IdP saw it. */
export interface SeenFrom {
  ip?: string | null;
  /**
   * The User-Agent header, given (even undefined) when the action came from a browser's request: the
   * mail names the browser and OS in its own language ("Chrome 130 on Linux", or the unknown ones).
   */
  userAgent?: string | undefined;
}

/** The time of an event, in UTC: the RFC 7231 form in English, the language's own long form otherwise. */
const utc = (d: Site, seconds = d.at) => (d.t.locale === 'en'
  ? new Date(seconds * 1000).toUTCString()
  : new Intl.DateTimeFormat(d.t.locale, { dateStyle: 'full', timeStyle: 'long', timeZone: 'UTC' }).format(new Date(seconds * 1000)));
const day = (d: Site, seconds: number) => (d.t.locale === 'en'
  ? new Date(seconds * 1000).toISOString().slice(0, 10)
  : new Intl.DateTimeFormat(d.t.locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(seconds * 1000)));
const where = (t: Translate, from?: SeenFrom) => [from && 'userAgent' in from ? deviceLabel(from.userAgent, t) : undefined, from?.ip ? t('IP address {{ip}}', { ip: from.ip }) : undefined].filter(Boolean).join(', ');
const seen = (t: Translate, from?: SeenFrom) => (from ? ` (${where(t, from)})` : '');
const hello = (t: Translate, name: string, body: string) => `${t('Hello {{name}},', { name })}\n\n${body}\n`;
const lines = (...parts: string[]) => parts.join('\n');
const notYou = (d: Site) => d.t('If it was not you, reset your password at {{reset}} and review {{security}}.', { reset: `${d.issuer}/password/forgot`, security: `${d.issuer}/my/security` });
/** A security notice: what happened (the sentences), then what to do if it was not the account holder. */
const securityNotice = (d: Site & Named, subject: string, ...said: string[]): Message => ({ subject, text: hello(d.t, d.name, lines(...said, notYou(d))) });
const apiKeysFooter = (d: Site) => lines(
  d.t('You can see and revoke your API keys at {{link}}.', { link: `${d.issuer}/my/security/api-keys` }),
  d.t('If this was not you, revoke the key, change your password and contact support.'),
);
const quoted = (t: Translate, name: string) => t('"{{name}}"', { name });

/** What a password reset ended (security/credential-lifecycle.ts), listed in its notice. */
export interface ResetEnded {
  sessions: number;
  apiKeys: number;
  trustedDevices: number;
  /** Second factor and recovery codes set up before the address was ever confirmed, removed. */
  secondFactorRemoved: boolean;
}

const endedLines = (t: Translate, e: ResetEnded) => [
  t('{{count}} signed-in sessions ended', { count: e.sessions }),
  t('{{count}} API keys revoked', { count: e.apiKeys }),
  t('{{count}} remembered devices forgotten (each asks for a second factor again)', { count: e.trustedDevices }),
  ...(e.secondFactorRemoved ? [t('two-factor authentication and its recovery codes removed: they were set up before this address was confirmed, so maybe not by you. Turn it on again at Connection & Security.')] : []),
];

/** What a password reset did to the account's passkeys (the person ticked the ones to remove). */
const passkeyLists = (t: Translate, d: { passkeysRemoved?: string[]; passkeysKept?: string[] }) => {
  const names = (list: string[]) => list.map((n) => quoted(t, n)).join(', ');
  return [
    d.passkeysRemoved?.length ? `${t('Passkeys removed: {{names}}.', { names: names(d.passkeysRemoved) })}\n` : '',
    d.passkeysKept?.length ? `${t('Passkeys kept (they can still sign in): {{names}}.', { names: names(d.passkeysKept) })}\n` : '',
  ].join('');
};

interface Named {
  /** The account holder's name, for the greeting. */
  name: string;
}

export const messages = {
  // Accounts: sign-up, email confirmation, password reset links.
  verifyEmail: (d: Site & Named & { token: string }): Message => ({
    subject: d.t('Confirm your email address'),
    text: hello(d.t, d.name, lines(
      d.t('Confirm your email address by opening this link within 48 hours:'),
      `${d.issuer}/verify-email?token=${d.token}`,
      '',
      d.t('If you did not create an account, ignore this message.'),
    )),
  }),
  signUpWithTakenAddress: (d: Site & Named): Message => ({
    subject: d.t('Someone tried to create an account with your address'),
    text: hello(d.t, d.name, lines(
      d.t('Someone tried to create a new account with this email address, which already has one.'),
      d.t('If it was you, sign in at {{signIn}} or reset your password at {{reset}}.', { signIn: `${d.issuer}/my/login`, reset: `${d.issuer}/password/forgot` }),
      d.t('If not, you can ignore this message.'),
    )),
  }),
  passwordResetLink: (d: Site & Named & { token: string }): Message => ({
    subject: d.t('Reset your password'),
    text: hello(d.t, d.name, lines(
      d.t('Someone asked to reset the password of your account. To choose a new password, open this link within one hour:'),
      `${d.issuer}/password/reset?token=${d.token}`,
      '',
      d.t('If it was not you, ignore this message: your password stays as it is.'),
    )),
  }),
  confirmNewEmail: (d: Site & Named & { email: string; token: string }): Message => ({
    subject: d.t('Confirm your new email address'),
    text: hello(d.t, d.name, lines(
      d.t('To make {{email}} the email address of your account, open this link within 24 hours:', { email: d.email }),
      `${d.issuer}/my/account/email/confirm?token=${d.token}`,
      '',
      d.t('If you did not ask for this, ignore this message.'),
    )),
  }),

  // Security notices.
  passwordChanged: (d: Site & Named & { from?: SeenFrom; revokedApiKeys?: number }): Message => securityNotice(d, d.t('Your password was changed'),
    `${d.t('The password of your account was changed on {{when}}', { when: utc(d) })}${seen(d.t, d.from)}.`,
    d.t('Every other device was signed out.'),
    ...(d.revokedApiKeys ? [d.t('{{count}} API keys were revoked, as asked.', { count: d.revokedApiKeys })] : []),
  ),
  passwordReset: (d: Site & Named & { ended?: ResetEnded; passkeysRemoved?: string[]; passkeysKept?: string[] }): Message => ({
    subject: d.t('Your password was changed'),
    text: hello(d.t, d.name, `${lines(
      d.t('The password of your account was just reset. Every device was signed out.'),
      ...(d.ended ? [d.t('What the reset ended:'), ...endedLines(d.t, d.ended).map((l) => `- ${l}`)] : []),
    )}\n${passkeyLists(d.t, d)}${d.t('If it was not you, reset your password again at {{reset}} and contact support.', { reset: `${d.issuer}/password/forgot` })}`),
  }),
  passkeyAdded: (d: Site & Named & { passkey: string; from?: SeenFrom }): Message => securityNotice(d, d.t('A passkey was added to your account'),
    d.t('A passkey {{passkey}} was added to your account on {{when}}{{from}}. It can now sign in to your account without a password.', { passkey: quoted(d.t, d.passkey), when: utc(d), from: seen(d.t, d.from) }),
  ),
  passkeyRemoved: (d: Site & Named & { passkey: string; from?: SeenFrom }): Message => securityNotice(d, d.t('A passkey was removed from your account'),
    d.t('The passkey {{passkey}} was removed from your account on {{when}}{{from}}. It can no longer sign in.', { passkey: quoted(d.t, d.passkey), when: utc(d), from: seen(d.t, d.from) }),
  ),
  emailChanged: (d: Site & Named & { newEmail: string }): Message => securityNotice(d, d.t('Your account email was changed'),
    d.t('The email address of your account was changed to {{email}} on {{when}}.', { email: d.newEmail, when: utc(d) }),
    d.t('Your sign-in logins on databases did not change.'),
  ),
  emailChangeRequested: (d: Site & Named & { newEmail: string }): Message => securityNotice(d, d.t('A change of your account email was requested'),
    d.t('Someone signed in to your account asked to change its email address to {{email}} on {{when}}.', { email: d.newEmail, when: utc(d) }),
    d.t('Nothing changes until the new address is confirmed.'),
  ),
  twoFactorEnabled: (d: Site & Named): Message => securityNotice(d, d.t('Two-factor authentication is on'),
    d.t('Two-factor authentication was turned on for your account on {{when}}.', { when: utc(d) }),
  ),
  twoFactorDisabled: (d: Site & Named): Message => securityNotice(d, d.t('Two-factor authentication is off'),
    d.t('Two-factor authentication was turned off for your account on {{when}}. Signing in now needs only your password.', { when: utc(d) }),
  ),
  recoveryCodeUsed: (d: Site & Named & { left: number; from?: SeenFrom }): Message => securityNotice(d, d.t('A recovery code was used'),
    `${d.t('A recovery code was used to sign in to your account on {{when}}', { when: utc(d) })}${seen(d.t, d.from)}. ${d.t('{{count}} recovery code(s) are left.', { count: d.left })}`,
  ),
  recoveryCodesRegenerated: (d: Site & Named): Message => securityNotice(d, d.t('New recovery codes were created'),
    d.t('New recovery codes were created for your account on {{when}}; the old ones no longer work.', { when: utc(d) }),
  ),
  newDeviceSignIn: (d: Site & Named & { from: SeenFrom; lockdownToken?: string }): Message => ({
    subject: d.t('New sign-in to your account'),
    text: hello(d.t, d.name, lines(
      d.t('Your account was signed in to from a new device on {{when}}: {{device}}.', { when: utc(d), device: where(d.t, d.from) || d.t('unknown device') }),
      d.t('If it was you, there is nothing to do.'),
      ...(d.lockdownToken
        ? [
          d.t('If it was not you, secure your account: this link (valid 7 days, once) signs everyone out, revokes your API keys and locks sign-in until you choose a new password:'),
          `${d.issuer}/lockdown?token=${d.lockdownToken}`,
          d.t('Then review {{activity}}.', { activity: `${d.issuer}/my/security/activity` }),
        ]
        : [notYou(d)]),
    )),
  }),
  lockdownStarted: (d: Site & Named & { token: string }): Message => ({
    subject: d.t('Your account is secured: choose a new password'),
    text: hello(d.t, d.name, lines(
      d.t('Your account was secured on {{when}}: every device was signed out, every API key revoked, and sign-in is refused until you choose a new password.', { when: utc(d) }),
      d.t('Choose it with this link within 24 hours:'),
      `${d.issuer}/password/reset?token=${d.token}`,
      '',
      `${d.t('If the link expired, ask for a new one at {{forgot}}.', { forgot: `${d.issuer}/password/forgot` })} ${d.t('Then review {{activity}}.', { activity: `${d.issuer}/my/security/activity` })}`,
    )),
  }),
  // `what` and `reason` are the operator's words (idp command), quoted as they are.
  supportAction: (d: Site & Named & { what: string; reason: string }): Message => ({
    subject: d.t('Support made a change to your account'),
    text: hello(d.t, d.name, lines(
      d.t('On {{when}}, Latchkey support {{what}}.', { when: utc(d), what: d.what }),
      d.t('Reason given: {{reason}}', { reason: d.reason }),
      '',
      d.t('You can see it in {{activity}}. If you did not ask for this, reply to this mail or contact support.', { activity: `${d.issuer}/my/security/activity` }),
    )),
  }),
  accountDeleted: (d: Site & Named): Message => ({
    subject: d.t('Your account was deleted'),
    text: hello(d.t, d.name, `${lines(
      d.t('Your account and everything attached to it were deleted on {{when}}. This cannot be undone.', { when: utc(d) }),
      d.t('You can create a new account with this address at any time.'),
    )}\n`),
  }),

  // Databases.
  // The name (and URL) are the owner's words in the IdP's mail: quoted as data, never as our prose. The
  // URL is given only for a trusted database (`url` absent otherwise): anyone can make a self-service
  // database with any name and address, and the only link that matters is ours.
  databaseInvitation: (d: Site & { database: string; url?: string; login: string; token: string }): Message => ({
    subject: d.t('You are invited to {{database}}', { database: d.database }),
    text: `${d.t('Hello,')}\n\n${lines(
      `${d.url
        ? d.t('You are invited to join a database named {{database}}, at {{url}}. Its owner chose this name and address.', { database: quoted(d.t, d.database), url: d.url })
        : d.t('You are invited to join a database named {{database}}. Its owner chose this name.', { database: quoted(d.t, d.database) })}`,
      d.t('Open this link within 14 days to accept or decline; sign in with, or create, an account with this email address ({{login}}):', { login: d.login }),
      `${d.issuer}/my/invitations?token=${d.token}`,
      '',
      d.t('If you do not expect this, ignore this message.'),
    )}\n`,
  }),

  // API keys.
  apiKeyCreated: (d: Site & Named & { description: string; visibleId: string; scope: string; expiresAt: number }): Message => ({
    subject: d.t('A new API key was added to your account'),
    text: hello(d.t, d.name, lines(
      d.t('A new API key {{key}} ({{id}}, {{scope}}) was added to your account. It expires on {{day}}.', { key: quoted(d.t, d.description), id: d.visibleId, scope: d.scope, day: day(d, d.expiresAt) }),
      '',
      apiKeysFooter(d),
    )),
  }),
  apiKeyRotated: (d: Site & Named & { description: string; visibleId: string; previousExpiresAt?: number }): Message => ({
    subject: d.t('One of your API keys was rotated'),
    text: hello(d.t, d.name, lines(
      `${d.t('The API key {{key}} ({{id}}) got a new secret.', { key: quoted(d.t, d.description), id: d.visibleId })} ${d.previousExpiresAt === undefined
        ? d.t('The previous secret stopped working at once.')
        : d.t('The previous secret keeps working until {{when}}.', { when: d.t.locale === 'en' ? new Date(d.previousExpiresAt * 1000).toISOString() : utc(d, d.previousExpiresAt) })}`,
      '',
      apiKeysFooter(d),
    )),
  }),
} satisfies Record<string, (data: never) => Message>;

export type MessageName = keyof typeof messages;
/** The data a message needs from its caller (the outbox adds the `Site` part). */
export type MessageData<K extends MessageName> = Omit<Parameters<(typeof messages)[K]>[0], keyof Site>;
