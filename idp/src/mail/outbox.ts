/**
 * The one way the IdP mails someone: name a message of messages.ts and pass its data; the outbox adds
 * the issuer, the time of sending and the recipient's language, and hands subject and text to the mailer.
 *
 * A mail is written when it is queued, in the recipient's language: their account's locale when the
 * deployment offers it (IDP_LOCALES), else the deployment's first language. The queue stores the
 * finished text (mail-queue.ts), so a queued mail is delivered as written whatever changes meanwhile.
 */
import { nowSeconds } from '../clock.ts';
import { LOCALES, translator, type Locale } from '../i18n/translator.ts';
import type { Mailer } from './mailer.ts';
import { messages, type MessageData, type MessageName } from './messages.ts';

/** Who a mail goes to: an address, and the language of the account behind it when there is one. */
export interface MailRecipient {
  email: string;
  /** The account's locale (accounts.locale); absent for an address with no account yet (an invitation). */
  locale?: string;
}

export function mailOutbox(deps: { mailer: Mailer; issuer: () => string; locales?: readonly Locale[] }) {
  const offered = deps.locales ?? LOCALES;
  return {
    async send<K extends MessageName>(to: MailRecipient, name: K, data: MessageData<K>): Promise<void> {
      const locale = offered.find((l) => l === to.locale) ?? offered[0]!;
      const compose = messages[name] as (d: MessageData<K> & { issuer: string; at: number; t: ReturnType<typeof translator> }) => { subject: string; text: string };
      const { subject, text } = compose({ ...data, issuer: deps.issuer(), at: nowSeconds(), t: translator(locale) });
      await deps.mailer.send({ to: to.email, subject, text });
    },
  };
}

export type Outbox = ReturnType<typeof mailOutbox>;
