/** The outbox the services use: SMTP or .eml files behind the durable outbox, or a handed-in transport at once. */
import type { Config } from '../config/config.ts';
import type { Db } from '../storage/database.ts';
import { loadSecretKey, secretBox } from '../security/secret-box.ts';
import { createMailer, type Mailer } from './mailer.ts';
import { directMailer, mailOutbox, type MailOutbox } from './outbox.ts';

export function outboxFor(config: Config, db: Db, issuer: () => string, handedIn?: Mailer): MailOutbox {
  const domain = () => {
    try {
      return new URL(issuer()).hostname;
    } catch {
      return 'localhost';
    }
  };
  if (handedIn) return directMailer(handedIn, domain);
  const transport = createMailer({ smtpUrl: config.smtpUrl, outboxDir: config.outboxDir, from: config.mailFrom });
  return mailOutbox({ db, transport, box: secretBox(loadSecretKey(config)), domain });
}
