/** Every message names the account's own issuer in its links and never leaks a placeholder. */
import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/translator.ts';
import { messages } from './messages.ts';
import { mailOutbox } from './outbox.ts';
import type { MailMessage } from './mailer.ts';

const site = { issuer: 'https://id.example', at: 1_700_000_000, t: translator('en') };

describe('mail messages', () => {
  it('build links on the issuer, and say when and from where', () => {
    expect(messages.passwordResetLink({ ...site, name: 'Ann', token: 'tok_1' }).text).toContain('https://id.example/password/reset?token=tok_1');
    expect(messages.verifyEmail({ ...site, name: 'Ann', token: 'tok_2' }).text).toContain('https://id.example/verify-email?token=tok_2');
    expect(messages.confirmNewEmail({ ...site, name: 'Ann', email: 'new@example.com', token: 'tok_3' }).text).toContain('https://id.example/my/account/email/confirm?token=tok_3');
    expect(messages.databaseInvitation({ ...site, database: 'Acme', url: 'https://acme.example', login: 'a@example.com', token: 'tok_4' }))
      .toMatchObject({ subject: 'You are invited to Acme', text: expect.stringContaining('https://id.example/my/invitations?token=tok_4') });
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0';
    const changed = messages.passwordChanged({ ...site, name: 'Ann', from: { ip: '192.0.2.1', userAgent: firefox } });
    expect(changed.text).toContain(new Date(site.at * 1000).toUTCString());
    expect(changed.text).toContain('(Firefox 130 on Linux, IP address 192.0.2.1)');
    // The device is named in the mail's language, an unnamed one too.
    const fr = translator('fr');
    expect(messages.passwordChanged({ ...site, t: fr, name: 'Ann', from: { ip: '192.0.2.1', userAgent: firefox } }).text).toContain('(Firefox 130 sur Linux, adresse IP 192.0.2.1)');
    expect(messages.newDeviceSignIn({ ...site, t: fr, name: 'Ann', from: { userAgent: '' } }).text).toContain('Navigateur inconnu sur Système inconnu');
    expect(changed.text).toContain('https://id.example/password/forgot');
    expect(messages.newDeviceSignIn({ ...site, name: 'Ann', from: {}, lockdownToken: 'tok_5' }).text).toContain('https://id.example/lockdown?token=tok_5');
    expect(messages.lockdownStarted({ ...site, name: 'Ann', token: 'tok_6' }).text).toContain('https://id.example/password/reset?token=tok_6');
    expect(messages.supportAction({ ...site, name: 'Ann', what: 'revoked API key lk_1', reason: 'leaked in a public repository' }).text)
      .toContain('Reason given: leaked in a public repository');
  });

  it('greets by name and leaves no undefined, [object Object] or {{placeholder}} in any text, in either language', () => {
    for (const t of [translator('en'), translator('fr')]) {
      const data = { ...site, t, name: 'Ann', token: 't', email: 'e@example.com', newEmail: 'n@example.com', left: 3, from: {}, database: 'D', url: 'https://d.example', login: 'l@example.com', passkey: 'Laptop', description: 'ci', visibleId: 'lk_1', scope: 'read', expiresAt: site.at, what: 'changed your sign-in login', reason: 'ticket 42' };
      for (const [name, compose] of Object.entries(messages)) {
        const { subject, text } = (compose as (d: typeof data) => { subject: string; text: string })(data);
        expect(subject, name).not.toBe('');
        expect(text, name).toMatch(t.locale === 'en' ? /^Hello( Ann)?,\n\n/ : /^Bonjour( Ann)?,\n\n/);
        expect(`${subject}\n${text}`, name).not.toMatch(/undefined|\[object Object\]|\{\{|\}\}/);
      }
    }
  });

  it('writes a French mail in French, links untouched, the date in French', () => {
    const fr = { ...site, t: translator('fr') };
    const reset = messages.passwordResetLink({ ...fr, name: 'Ann', token: 'tok_1' });
    expect(reset.subject).toBe('Réinitialiser votre mot de passe');
    expect(reset.text).toBe('Bonjour Ann,\n\nQuelqu’un a demandé la réinitialisation du mot de passe de votre compte. Pour choisir un nouveau mot de passe, '
      + 'ouvrez ce lien dans l’heure qui suit\u00a0:\nhttps://id.example/password/reset?token=tok_1\n\nSi ce n’était pas vous, ignorez ce message\u00a0: votre mot de passe reste inchangé.\n');
    expect(messages.passwordChanged({ ...fr, name: 'Ann', revokedApiKeys: 2 }).text)
      .toContain('le mardi 14 novembre 2023 à 22:13:20 UTC.\nTous les autres appareils ont été déconnectés.\n2 clés d’API ont été révoquées, comme demandé.');
  });

  it('is written by the outbox in the recipient account\'s language, or the deployment\'s first one', async () => {
    const sent: MailMessage[] = [];
    const mailer = { send: async (m: MailMessage) => void sent.push(m), close: () => {} };
    const outbox = mailOutbox({ mailer, issuer: () => 'https://id.example', locales: ['en', 'fr'] });
    await outbox.send({ email: 'a@example.com', locale: 'fr' }, 'twoFactorEnabled', { name: 'Ann' });
    await outbox.send({ email: 'b@example.com', locale: 'de' }, 'twoFactorEnabled', { name: 'Bob' });
    await outbox.send({ email: 'c@example.com' }, 'twoFactorEnabled', { name: 'Cy' });
    await mailOutbox({ mailer, issuer: () => 'https://id.example', locales: ['en'] }).send({ email: 'd@example.com', locale: 'fr' }, 'twoFactorEnabled', { name: 'Di' });
    expect(sent.map((m) => [m.to, m.subject])).toEqual([
      ['a@example.com', 'L’authentification à deux facteurs est activée'],
      ['b@example.com', 'Two-factor authentication is on'],
      ['c@example.com', 'Two-factor authentication is on'],
      ['d@example.com', 'Two-factor authentication is on'],
    ]);
  });
});
