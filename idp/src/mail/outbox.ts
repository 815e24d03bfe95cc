/**
 * The one way the IdP mails someone: name a message of messages.ts and pass its data; the outbox adds
 * the issuer and the time of sending and hands subject and text to the mailer.
 */
import { nowSeconds } from '../clock.ts';
import type { Mailer } from './mailer.ts';
import { messages, type MessageData, type MessageName } from './messages.ts';

export function mailOutbox(deps: { mailer: Mailer; issuer: () => string }) {
  return {
    async send<K extends MessageName>(to: string, name: K, data: MessageData<K>): Promise<void> {
      const compose = messages[name] as (d: MessageData<K> & { issuer: string; at: number }) => { subject: string; text: string };
      const { subject, text } = compose({ ...data, issuer: deps.issuer(), at: nowSeconds() });
      await deps.mailer.send({ to, subject, text });
    },
  };
}

export type Outbox = ReturnType<typeof mailOutbox>;
