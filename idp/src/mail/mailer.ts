/**
 * Outgoing mail through nodemailer. Without IDP_SMTP_URL every message is written as an .eml file in
 * the outbox directory (and a line is logged) so development and tests can read it; with it, mail goes
 * to that SMTP server.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import { log } from '../log.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** `<id@host>`, stable across retries (set by the outbox), so a repeated delivery is recognisable. */
  messageId?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void | Promise<void>;
}

/**
 * `timeoutMs` (IDP_SMTP_TIMEOUT_MS) bounds connecting, the greeting and each silence of the SMTP server,
 * well inside the mail queue's lease (mail/mail-queue.ts): a hanging delivery fails and is retried instead
 * of outliving its claim and being delivered twice.
 */
export function createMailer(options: { smtpUrl?: string; outboxDir: string; from: string; timeoutMs?: number }): Mailer {
  if (options.smtpUrl) {
    const timeoutMs = options.timeoutMs ?? 5000;
    const transport = nodemailer.createTransport({
      url: options.smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs,
    });
    return {
      async send(message) {
        await transport.sendMail({ from: options.from, ...message });
        log.info(`mail "${message.subject}" sent to ${message.to}`);
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  fs.mkdirSync(options.outboxDir, { recursive: true, mode: 0o700 });
  return {
    async send(message) {
      const info = await transport.sendMail({ from: options.from, ...message });
      const file = path.join(options.outboxDir, `${Date.now()}-${crypto.randomBytes(4).toString('hex')}.eml`);
      await fs.promises.writeFile(file, info.message as Buffer, { mode: 0o600 });
      log.info(`mail "${message.subject}" to ${message.to} written to ${file}`);
    },
    close: () => transport.close(),
  };
}
