/** Every message names the account's own issuer in its links and never leaks a placeholder. */
import { describe, expect, it } from 'vitest';
import { messages } from './messages.ts';

const site = { issuer: 'https://id.example', at: 1_700_000_000 };

describe('mail messages', () => {
  it('build links on the issuer, and say when and from where', () => {
    expect(messages.passwordResetLink({ ...site, name: 'Ann', token: 'tok_1' }).text).toContain('https://id.example/password/reset?token=tok_1');
    expect(messages.verifyEmail({ ...site, name: 'Ann', token: 'tok_2' }).text).toContain('https://id.example/verify-email?token=tok_2');
    expect(messages.confirmNewEmail({ ...site, name: 'Ann', email: 'new@example.com', token: 'tok_3' }).text).toContain('https://id.example/my/account/email/confirm?token=tok_3');
    expect(messages.databaseInvitation({ ...site, database: 'Acme', url: 'https://acme.example', login: 'a@example.com', token: 'tok_4' }))
      .toMatchObject({ subject: 'You are invited to Acme', text: expect.stringContaining('https://id.example/my/invitations?token=tok_4') });
    const changed = messages.passwordChanged({ ...site, name: 'Ann', from: { ip: '192.0.2.1', device: 'Firefox 130 on Linux' } });
    expect(changed.text).toContain(new Date(site.at * 1000).toUTCString());
    expect(changed.text).toContain('(Firefox 130 on Linux, IP address 192.0.2.1)');
    expect(changed.text).toContain('https://id.example/password/forgot');
    expect(messages.newDeviceSignIn({ ...site, name: 'Ann', from: {}, lockdownToken: 'tok_5' }).text).toContain('https://id.example/lockdown?token=tok_5');
    expect(messages.lockdownStarted({ ...site, name: 'Ann', token: 'tok_6' }).text).toContain('https://id.example/password/reset?token=tok_6');
    expect(messages.supportAction({ ...site, name: 'Ann', what: 'revoked API key lk_1', reason: 'leaked in a public repository' }).text)
      .toContain('Reason given: leaked in a public repository');
  });

  it('greets by name and leaves no undefined or [object Object] in any text', () => {
    const data = { ...site, name: 'Ann', token: 't', email: 'e@example.com', newEmail: 'n@example.com', left: 3, from: {}, database: 'D', url: 'https://d.example', login: 'l@example.com', description: 'ci', visibleId: 'lk_1', scope: 'read', expiresAt: site.at, what: 'changed your sign-in login', reason: 'ticket 42' };
    for (const [name, compose] of Object.entries(messages)) {
      const { subject, text } = (compose as (d: typeof data) => { subject: string; text: string })(data);
      expect(subject, name).not.toBe('');
      expect(text, name).toMatch(/^Hello( Ann)?,\n\n/);
      expect(text, name).not.toMatch(/undefined|\[object Object\]/);
    }
  });
});
