/** Both mail paths for real: the .eml outbox, and SMTP to a real SMTP server started in the test. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { createMailer } from './mailer.ts';
import { setLogLevel } from '../log.ts';

setLogLevel('silent');

describe('mailer', () => {
  const received: { from: string; to: string[]; data: string }[] = [];
  let server: SMTPServer;
  let port: number;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (d: Buffer) => (data += d.toString()));
        stream.on('end', () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('delivers through SMTP when IDP_SMTP_URL is set', async () => {
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, outboxDir: '/nonexistent', from: 'Latchkey <no-reply@latchkey.test>' });
    await mailer.send({ to: 'ada@example.com', subject: 'Reset your password', text: 'Open this link: http://x/reset?token=abc' });
    mailer.close();
    expect(received).toHaveLength(1);
    expect(received[0]!.from).toBe('no-reply@latchkey.test');
    expect(received[0]!.to).toEqual(['ada@example.com']);
    expect(received[0]!.data).toContain('Subject: Reset your password');
    expect(received[0]!.data).toContain('token=abc');
  });

  it('writes .eml files to the outbox without SMTP', async () => {
    const outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-'));
    const mailer = createMailer({ outboxDir: outbox, from: 'Latchkey <no-reply@localhost>' });
    await mailer.send({ to: 'bob@example.com', subject: 'Hello', text: 'Body text' });
    const files = fs.readdirSync(outbox);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const eml = fs.readFileSync(path.join(outbox, files[0]!), 'utf8');
    expect(eml).toContain('To: bob@example.com');
    expect(eml).toContain('Body text');
    fs.rmSync(outbox, { recursive: true });
  });

  it('fails loudly when the SMTP server is unreachable', async () => {
    const mailer = createMailer({ smtpUrl: 'smtp://127.0.0.1:1', outboxDir: '/nonexistent', from: 'x@localhost' });
    await expect(mailer.send({ to: 'a@example.com', subject: 's', text: 't' })).rejects.toThrow();
    mailer.close();
  });
});

describe('mailer timeout', () => {
  it('gives up on an SMTP server that accepts but never greets, within IDP_SMTP_TIMEOUT_MS', async () => {
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const mute = net.createServer((socket) => sockets.push(socket)); // never writes the 220 greeting
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', () => resolve()));
    const port = (mute.address() as AddressInfo).port;
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, outboxDir: '/nonexistent', from: 'x@latchkey.test', timeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(mailer.send({ to: 'ada@example.com', subject: 'Hello', text: 'Hi' })).rejects.toThrow(/greeting|timeout/i);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      mailer.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });
});
