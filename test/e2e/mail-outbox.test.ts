/**
 * Mail off the request path, durably: with the SMTP server down a request that mails still answers 2xx,
 * the mail waits in the outbox (`idp mail status` counts it) and is delivered, once, when SMTP is back.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../helpers/idp.ts';
import { TestBrowser } from '../helpers/browser.ts';
import { runIdp } from '../helpers/cli.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

let idp: TestIdp | undefined;
let smtp: SMTPServer | undefined;
afterAll(async () => {
  await idp?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

describe('mail outbox', () => {
  it('answers 2xx while SMTP is down and delivers the mail once SMTP is back', async () => {
    const port = await freePort(); // nothing listens here yet: SMTP is down
    idp = await startTestIdp({ IDP_SMTP_URL: `smtp://127.0.0.1:${port}` }, { mail: 'outbox' });
    await idp.createAccount('outbox@example.com', 'a long passphrase');

    const browser = new TestBrowser();
    const form = await browser.request(`${idp.issuer}/password/forgot`);
    const asked = await browser.submit(form, '/password/forgot', { email: 'outbox@example.com' });
    expect(asked.status).toBe(200);

    const status = async () => (await runIdp(['mail', 'status'], { IDP_DATA_DIR: idp!.dataDir })).json<{ queued: number; failed: number; lastError: string | null }>();
    const waiting = await waitFor(async () => {
      const s = await status();
      return s.queued === 1 && s.lastError ? s : undefined;
    }, 20_000);
    expect(waiting).toMatchObject({ queued: 1, failed: 0 });

    const received: string[] = [];
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        let data = '';
        stream.on('data', (d: Buffer) => (data += d.toString()));
        stream.on('end', () => {
          received.push(data);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp!.listen(port, '127.0.0.1', () => resolve()));

    const mail = await waitFor(() => received.find((m) => m.includes('Subject: Reset your password')), 30_000);
    expect(mail).toContain('/password/reset?token=');
    expect(mail).toMatch(/^Message-ID: <[\w-]+@(localhost|127\.0\.0\.1)>/im);
    await waitFor(async () => ((await status()).queued === 0 ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // a second delivery, if any, would land now
    expect(received.filter((m) => m.includes('Subject: Reset your password'))).toHaveLength(1);
  });
});
