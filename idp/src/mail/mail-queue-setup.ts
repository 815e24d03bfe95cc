/** The mailer under the services' outbox: SMTP or .eml files behind the durable queue, or a handed-in transport at once. */
import type { Config } from '../config/config.ts';
import type { Db } from '../storage/database.ts';
import type { SecretBox } from '../storage/secret-box.ts';
import { createMailer, type Mailer } from './mailer.ts';
import { directMailQueue, durableMailQueue, type MailQueue } from './mail-queue.ts';

export function mailQueueFor(config: Config, db: Db, box: SecretBox, issuer: () => string, handedIn?: Mailer): MailQueue {
  const domain = () => {
    try {
      return new URL(issuer()).hostname;
    } catch {
      return 'localhost';
    }
  };
  if (handedIn) return directMailQueue(handedIn, domain);
  const transport = createMailer({ smtpUrl: config.smtpUrl, outboxDir: config.outboxDir, from: config.mailFrom, timeoutMs: config.timeouts.smtpMs });
  return durableMailQueue({ db, transport, box, domain });
}
