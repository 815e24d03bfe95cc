/**
 * The outbox on a real store: a mail exists only when its transaction commits, bodies are sealed, two
 * senders on one store (as two processes or instances) deliver each message once, a sender that dies
 * mid-delivery is taken over after its lease with the same Message-ID, and failures back off to `failed`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clock } from '../clock.ts';
import { openStore, type Store } from '../storage/store.ts';
import { secretBox } from '../storage/secret-box.ts';
import { setLogLevel } from '../log.ts';
import { createTestDatabase, testPostgresUrl } from '../../../test/helpers/postgres.ts';
import type { Mailer, MailMessage } from './mailer.ts';
import { MAX_ATTEMPTS, durableMailQueue, outboxStatus, retryFailedMail, type MailQueue } from './mail-queue.ts';

setLogLevel('silent');
const box = secretBox(crypto.randomBytes(32));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Two connections to one fresh store: what two processes (or two instances) of the IdP would hold. */
async function twoConnections(engine: 'sqlite' | 'postgres'): Promise<[Store, Store]> {
  if (engine === 'postgres') {
    const database = await createTestDatabase();
    const a = await openStore({ databaseUrl: database.url });
    const b = await openStore({ databaseUrl: database.url });
    cleanups.push(async () => {
      await a.close();
      await b.close();
      await database.drop();
    });
    return [a, b];
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-'));
  const file = path.join(dir, 'idp.sqlite');
  const a = await openStore({ sqliteFile: file });
  const b = await openStore({ sqliteFile: file });
  cleanups.push(async () => {
    await a.close();
    await b.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return [a, b];
}

function recorder(options: { delayMs?: number; fail?: boolean; hang?: boolean } = {}) {
  const sent: MailMessage[] = [];
  const attempts: MailMessage[] = [];
  const transport: Mailer = {
    async send(message) {
      attempts.push(message);
      if (options.hang) return new Promise<void>(() => {});
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      if (options.fail) throw new Error('connect ECONNREFUSED 127.0.0.1:25');
      sent.push(message);
    },
    close() {},
  };
  return { transport, sent, attempts };
}

function outbox(db: Store, transport: Mailer, extra: Partial<Parameters<typeof durableMailQueue>[0]> = {}): MailQueue {
  const o = durableMailQueue({ db, transport, box, domain: () => 'id.example', pollMs: 50, ...extra });
  cleanups.push(() => o.close());
  return o;
}

async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const engines: ('sqlite' | 'postgres')[] = testPostgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

describe.each(engines)('durable mail queue on %s', (engine) => {
  it('queues a mail with its transaction only, sealed, and delivers it after commit', async () => {
    const [db] = await twoConnections(engine);
    const r = recorder();
    const o = outbox(db, r.transport);
    await expect(db.transaction(async () => {
      await o.send({ to: 'gone@example.com', subject: 'Never', text: 'rolled back' });
      throw new Error('the event failed');
    })).rejects.toThrow('the event failed');
    await db.transaction(async () => {
      await o.send({ to: 'ada@example.com', subject: 'Reset your password', text: 'Open http://x/reset?token=secret-token-1' });
    });
    const rows = await db.all<Record<string, unknown>>('SELECT * FROM mail_outbox');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('secret-token-1');
    expect(JSON.stringify(rows)).not.toContain('Reset your password');
    expect(await outboxStatus(db)).toMatchObject({ queued: 1, failed: 0, due: 1 });

    expect(await o.deliverDue()).toBe(1);
    expect(r.sent).toEqual([{ to: 'ada@example.com', subject: 'Reset your password', text: 'Open http://x/reset?token=secret-token-1', messageId: expect.stringMatching(/^<[\w-]+@id\.example>$/) }]);
    expect(await db.all('SELECT id FROM mail_outbox')).toEqual([]);
    expect(await outboxStatus(db)).toMatchObject({ queued: 0, failed: 0 });
  });

  it('delivers every message exactly once with two senders on one store', async () => {
    const [a, b] = await twoConnections(engine);
    const ra = recorder({ delayMs: 2 });
    const rb = recorder({ delayMs: 2 });
    const oa = outbox(a, ra.transport);
    const ob = outbox(b, rb.transport);
    const count = 120;
    for (let i = 0; i < count; i++) await (i % 2 ? oa : ob).send({ to: `p${i}@example.com`, subject: `mail ${i}`, text: 'hello' });
    oa.startSender();
    ob.startSender();
    await waitFor(async () => ra.sent.length + rb.sent.length >= count && (await outboxStatus(a)).queued === 0);
    await new Promise((r) => setTimeout(r, 200)); // a second delivery, if any, would land now
    const all = [...ra.sent, ...rb.sent];
    expect(all).toHaveLength(count);
    expect(new Set(all.map((m) => m.messageId)).size).toBe(count);
    expect(new Set(all.map((m) => m.subject)).size).toBe(count);
    expect(ra.sent.length, 'both senders took part').toBeGreaterThan(0);
    expect(rb.sent.length, 'both senders took part').toBeGreaterThan(0);
  });

  it('takes over a delivery whose sender died after its lease, with the same Message-ID', async () => {
    const [a, b] = await twoConnections(engine);
    const dead = recorder({ hang: true }); // claimed, then the process is gone (kill -9)
    const alive = recorder();
    // A 60 s lease and the IdP's clock moved past it: a 1 s lease in whole seconds could end at once.
    const oa = durableMailQueue({ db: a, transport: dead.transport, box, domain: () => 'id.example', leaseSeconds: 60 });
    const ob = outbox(b, alive.transport, { leaseSeconds: 60 });
    await oa.send({ to: 'ada@example.com', subject: 'New sign-in to your account', text: 'hello' });
    void oa.deliverDue();
    await waitFor(() => dead.attempts.length === 1);
    expect(await ob.deliverDue(), 'the lease still holds').toBe(0);
    clock.offsetMs += 61_000;
    try {
      expect(await ob.deliverDue()).toBe(1);
    } finally {
      clock.offsetMs -= 61_000;
    }
    expect(alive.sent).toHaveLength(1);
    expect(alive.sent[0]!.messageId).toBe(dead.attempts[0]!.messageId);
  });

  it('releases the rest of its claim when closed mid-batch, so another sender delivers it at once', async () => {
    const [a, b] = await twoConnections(engine);
    let finishFirst!: () => void;
    const sentByA: MailMessage[] = [];
    const slow: Mailer = {
      async send(message) {
        if (sentByA.length === 0) await new Promise<void>((resolve) => (finishFirst = resolve));
        sentByA.push(message);
      },
      close() {},
    };
    const alive = recorder();
    const oa = durableMailQueue({ db: a, transport: slow, box, domain: () => 'id.example' }); // a 300 s lease
    const ob = outbox(b, alive.transport);
    for (let i = 0; i < 3; i++) await oa.send({ to: `p${i}@example.com`, subject: `mail ${i}`, text: 'hello' });
    void oa.deliverDue();
    await waitFor(() => finishFirst !== undefined);
    expect(await ob.deliverDue(), 'all three are claimed by the first sender').toBe(0);
    const closed = oa.close();
    finishFirst(); // the delivery in flight is finished, not abandoned
    await closed;
    expect(sentByA).toHaveLength(1);
    expect(await a.all('SELECT attempts, lease_until, claim FROM mail_outbox')).toEqual([
      { attempts: 0, lease_until: 0, claim: null }, { attempts: 0, lease_until: 0, claim: null },
    ]);
    expect(await ob.deliverDue()).toBe(2);
    expect(new Set([...sentByA, ...alive.sent].map((m) => m.subject))).toEqual(new Set(['mail 0', 'mail 1', 'mail 2']));
  });

  it('retries with backoff, then keeps the mail as failed until retried', async () => {
    const [db] = await twoConnections(engine);
    const r = recorder({ fail: true });
    const o = outbox(db, r.transport, { retryBaseSeconds: 0 });
    await o.send({ to: 'ada@example.com', subject: 's', text: 't' });
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) await o.deliverDue();
    expect(r.attempts).toHaveLength(MAX_ATTEMPTS);
    expect(await outboxStatus(db)).toMatchObject({ queued: 0, failed: 1, lastError: expect.stringContaining('ECONNREFUSED') });
    expect(await retryFailedMail(db)).toBe(1);
    expect(await outboxStatus(db)).toMatchObject({ queued: 1, failed: 0 });

    const backoff = recorder({ fail: true });
    const slow = outbox(db, backoff.transport);
    await db.run('DELETE FROM mail_outbox');
    await slow.send({ to: 'ada@example.com', subject: 's', text: 't' });
    await slow.deliverDue();
    await slow.deliverDue();
    expect(backoff.attempts, 'the second attempt waits for its backoff').toHaveLength(1);
  });
});
