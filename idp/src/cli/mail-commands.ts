/** Operator commands for the mail outbox (part of the `idp` command table): its counts, and requeuing failed mail. */
import type { Command } from './context.ts';
import { withStore } from './context.ts';

export const mailCommands: Command[] = [
  {
    name: 'mail status',
    summary: 'Count the mail waiting in the outbox (queued, due now, failed after every retry) as JSON.',
    run: async (_values, config) => {
      const { outboxStatus } = await import('../mail/mail-queue.ts');
      return withStore(config, (db) => outboxStatus(db));
    },
  },
  {
    name: 'mail retry',
    summary: 'Put mail that failed every retry back in the queue (e.g. after fixing IDP_SMTP_URL); prints how many.',
    run: async (_values, config) => {
      const { retryFailedMail } = await import('../mail/mail-queue.ts');
      return withStore(config, async (db) => ({ requeued: await retryFailedMail(db) }));
    },
  },
];
