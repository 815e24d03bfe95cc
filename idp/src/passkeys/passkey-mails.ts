/** Security mails for passkeys, in the words of security/notifications.ts: what, when, from where, and what to do if it was not you. */
import type { Mailer } from '../mail/mailer.ts';
import { nowSeconds } from '../clock.ts';

interface Recipient {
  email: string;
  name: string;
}

export function passkeyMails(deps: { mailer: Mailer; issuer: () => string }) {
  const when = () => new Date(nowSeconds() * 1000).toUTCString();
  const where = (from: { ip?: string; device?: string }) => [from.device, from.ip ? `IP address ${from.ip}` : undefined].filter(Boolean).join(', ');
  const notYou = () => `If it was not you, reset your password at ${deps.issuer()}/password/forgot and review ${deps.issuer()}/my/security.`;
  const send = (to: Recipient, subject: string, body: string) => deps.mailer.send({ to: to.email, subject, text: `Hello ${to.name},\n\n${body}\n` });
  return {
    added: (to: Recipient, name: string, from: { ip?: string; device?: string }) =>
      send(to, 'A passkey was added to your account', `A passkey "${name}" was added to your account on ${when()}${where(from) ? ` (${where(from)})` : ''}. It can now sign in to your account without a password.\n${notYou()}`),
    removed: (to: Recipient, name: string, from: { ip?: string; device?: string }) =>
      send(to, 'A passkey was removed from your account', `The passkey "${name}" was removed from your account on ${when()}${where(from) ? ` (${where(from)})` : ''}. It can no longer sign in.\n${notYou()}`),
  };
}
