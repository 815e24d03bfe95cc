/**
 * The durable mail queue under the outbox (outbox.ts composes; this stores and delivers): `send` only
 * stores the message in `mail_outbox`; a sender in every IdP process delivers it in the background. It
 * is a `Mailer`, so the outbox and every other caller use it unchanged.
 *
 * Invariants:
 * - A mail exists exactly when the event that causes it was committed: the insert is a store query, so
 *   inside `store.transaction` it joins that transaction (AsyncLocalStorage) and is rolled back with it.
 * - SMTP never reaches a request: `send` fails only when the store does. Delivery failures are retried
 *   with exponential backoff (RETRY_BASE_SECONDS · 2^(attempt-1), at most RETRY_MAX_SECONDS) up to
 *   MAX_ATTEMPTS, then the row stays `failed` (`idp mail status` counts it, `idp mail retry` requeues it).
 * - One delivery per message across workers and instances: a sender claims due rows by one conditional
 *   UPDATE (lease expired → lease_until = now + lease, claim = a token of this pass) and delivers only
 *   the rows that carry its token. A sender killed mid-delivery (kill -9) leaves its lease to expire and
 *   another delivers again with the same Message-ID, stored at enqueue: at most one duplicate, which mail
 *   clients fold. The lease outlasts the SMTP timeouts (mailer.ts), so a slow delivery is never doubled.
 *   A sender that stops cleanly (`close`, graceful shutdown) finishes the delivery in flight and releases
 *   the rest of its claim at once, so another process sends them without waiting for the lease.
 * - Subject and body carry live one-time links: they are sealed with IDP_SECRET_KEY (context
 *   `mail:<id>`), and a delivered row is deleted, so a copy of the store does not reveal them.
 */
import crypto from 'node:crypto';
import type { Db } from '../storage/database.ts';
import { outsideTransaction } from '../storage/store.ts';
import { resealed, type SecretBox } from '../storage/secret-box.ts';
import { nowSeconds } from '../clock.ts';
import { log } from '../log.ts';
import { metrics } from '../observability/metrics.ts';
import type { Mailer, MailMessage } from './mailer.ts';

export const MAX_ATTEMPTS = 16;
const RETRY_BASE_SECONDS = 2;
const RETRY_MAX_SECONDS = 1800;
const LEASE_SECONDS = 300;
/** How often an idle sender looks for due mail (retries, and mail queued by other processes). */
const POLL_MS = 1000;
const BATCH = 50;

export interface MailQueue extends Mailer {
  /** Starts this process's background sender (the IdP does; operator commands only `deliverDue`). */
  startSender(): void;
  /** One delivery pass over the due mail now; resolves with the number delivered. */
  deliverDue(): Promise<number>;
  /** Stops the sender, waits for the delivery in flight, releases the rest of its claim and closes the transport. */
  close(): Promise<void>;
}

export interface OutboxStatus {
  queued: number;
  failed: number;
  /** Queued and due now (not waiting for a retry). */
  due: number;
  oldestQueuedAt: string | null;
  lastError: string | null;
}

interface OutboxRow {
  id: string;
  message_id: string;
  recipient: string;
  sealed: string;
  attempts: number;
}

export function durableMailQueue(deps: {
  db: Db;
  transport: Mailer;
  box: SecretBox;
  /** Right-hand side of the Message-IDs (the issuer's host). */
  domain: () => string;
  leaseSeconds?: number;
  retryBaseSeconds?: number;
  pollMs?: number;
}): MailQueue {
  const { db, transport, box } = deps;
  const lease = deps.leaseSeconds ?? LEASE_SECONDS;
  const retryBase = deps.retryBaseSeconds ?? RETRY_BASE_SECONDS;
  const pollMs = deps.pollMs ?? POLL_MS;
  let started = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let nudged = false;
  let pass: Promise<number> | undefined;

  const backoff = (attempts: number) => Math.min(RETRY_MAX_SECONDS, retryBase * 2 ** Math.max(0, attempts - 1));

  async function deliver(row: OutboxRow): Promise<boolean> {
    try {
      const { subject, text } = JSON.parse(box.open(row.sealed, `mail:${row.id}`)) as { subject: string; text: string };
      await transport.send({ to: row.recipient, subject, text, messageId: row.message_id });
      await db.run('DELETE FROM mail_outbox WHERE id = ?', [row.id]);
      return true;
    } catch (error) {
      const message = String((error as Error)?.message ?? error).slice(0, 500);
      const failed = row.attempts >= MAX_ATTEMPTS;
      await db.run('UPDATE mail_outbox SET status = ?, next_attempt_at = ?, lease_until = 0, claim = NULL, last_error = ? WHERE id = ?',
        [failed ? 'failed' : 'queued', nowSeconds() + backoff(row.attempts), message, row.id]);
      metrics.mailFailed(failed ? 'gave_up' : 'retry');
      log.warn(`mail ${row.message_id} to ${row.recipient}: attempt ${row.attempts} failed (${message})${failed ? '; giving up' : `; retry in ${backoff(row.attempts)} s`}`);
      return false;
    }
  }

  /** Shutting down mid-batch: the rows of `claim` not attempted yet go back to the queue as they were, due now for any sender. */
  async function release(claim: string): Promise<void> {
    const released = await db.run("UPDATE mail_outbox SET claim = NULL, lease_until = 0, attempts = attempts - 1 WHERE claim = ? AND status = 'queued'", [claim]);
    if (released.changes > 0) log.info(`mail queue: released ${released.changes} claimed mail(s) for another sender`);
  }

  async function runPass(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const now = nowSeconds();
      const claim = crypto.randomBytes(12).toString('base64url');
      const claimed = await db.run(
        `UPDATE mail_outbox SET claim = ?, lease_until = ?, attempts = attempts + 1
          WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= ? AND lease_until <= ? ORDER BY next_attempt_at LIMIT ${BATCH})
            AND status = 'queued' AND lease_until <= ?`,
        [claim, now + lease, now, now, now],
      );
      if (claimed.changes === 0) return delivered;
      const rows = await db.all<OutboxRow>('SELECT id, message_id, recipient, sealed, attempts FROM mail_outbox WHERE claim = ?', [claim]);
      for (const row of rows) {
        if (stopped) {
          await release(claim);
          return delivered;
        }
        if (await deliver(row)) delivered++;
      }
      if (claimed.changes < BATCH || stopped) return delivered;
    }
  }

  /** One pass at a time per process; outside any caller's transaction (it must see committed rows only). */
  function deliverDue(): Promise<number> {
    if (pass) return pass.then(() => deliverDue());
    pass = outsideTransaction(() => runPass())
      .catch((error: unknown) => {
        log.warn('mail queue: delivery pass failed', { err: error });
        return 0;
      })
      .finally(() => (pass = undefined));
    return pass;
  }

  function schedule(ms: number): void {
    if (!started || stopped) return;
    clearTimeout(timer);
    timer = outsideTransaction(() => setTimeout(() => {
      nudged = false;
      void deliverDue().then(() => schedule(pollMs));
    }, ms));
    timer.unref();
  }

  return {
    async send(message: MailMessage): Promise<void> {
      const id = crypto.randomBytes(16).toString('base64url');
      const messageId = `<${id}@${deps.domain()}>`;
      const now = nowSeconds();
      await db.run(
        `INSERT INTO mail_outbox (id, message_id, recipient, sealed, status, attempts, next_attempt_at, lease_until, created_at)
         VALUES (?, ?, ?, ?, 'queued', 0, ?, 0, ?)`,
        [id, messageId, message.to, box.seal(JSON.stringify({ subject: message.subject, text: message.text }), `mail:${id}`), now, now],
      );
      // Deliver soon after the caller's transaction ends (on SQLite the pass waits for it; on
      // PostgreSQL it may run first and find nothing, and the next poll delivers).
      if (started && !nudged) {
        nudged = true;
        schedule(0);
      }
    },
    startSender() {
      if (started) return;
      started = true;
      schedule(0);
    },
    deliverDue,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await pass;
      transport.close();
    },
  };
}

/** A transport handed in by the caller (tests capture mail in memory): delivered at once, no table. */
export function directMailQueue(transport: Mailer, domain: () => string): MailQueue {
  return {
    send: (message) => transport.send({ messageId: `<${crypto.randomBytes(16).toString('base64url')}@${domain()}>`, ...message }),
    startSender() {},
    deliverDue: async () => 0,
    async close() {
      transport.close();
    },
  };
}

/** What `idp mail status` prints. */
export async function outboxStatus(db: Db): Promise<OutboxStatus> {
  const now = nowSeconds();
  const counts = await db.get<{ queued: number | null; failed: number | null; due: number | null; oldest: number | null }>(
    `SELECT SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END) AS queued, SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,
            SUM(CASE WHEN status = 'queued' AND next_attempt_at <= ? THEN 1 ELSE 0 END) AS due,
            MIN(CASE WHEN status = 'queued' THEN created_at END) AS oldest
       FROM mail_outbox`, [now]);
  const last = await db.get<{ last_error: string }>('SELECT last_error FROM mail_outbox WHERE last_error IS NOT NULL ORDER BY next_attempt_at DESC LIMIT 1');
  return {
    queued: Number(counts?.queued ?? 0),
    failed: Number(counts?.failed ?? 0),
    due: Number(counts?.due ?? 0),
    oldestQueuedAt: counts?.oldest ? new Date(Number(counts.oldest) * 1000).toISOString() : null,
    lastError: last?.last_error ?? null,
  };
}

/** `idp mail retry`: failed mail back in the queue, due now. */
export async function retryFailedMail(db: Db): Promise<number> {
  const result = await db.run("UPDATE mail_outbox SET status = 'queued', attempts = 0, next_attempt_at = ?, lease_until = 0, claim = NULL WHERE status = 'failed'", [nowSeconds()]);
  return result.changes;
}

/** Re-seals every queued mail not sealed under the first key (`idp secret-key rotate`); conditional updates. */
export async function resealMailOutbox(db: Db, box: SecretBox): Promise<number> {
  let written = 0;
  for (const row of await db.all<{ id: string; sealed: string }>('SELECT id, sealed FROM mail_outbox')) {
    const next = resealed(box, row.sealed, `mail:${row.id}`, 'rotate');
    if (next !== undefined) written += (await db.run('UPDATE mail_outbox SET sealed = ? WHERE id = ? AND sealed = ?', [next, row.id, row.sealed])).changes;
  }
  return written;
}
