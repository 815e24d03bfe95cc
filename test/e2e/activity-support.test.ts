/**
 * Support acts in the open: `idp membership set-login` and `idp apikey revoke` require `--reason`
 * (exit 2 without, and nothing changes), show in the person's security activity with that reason,
 * and mail the person.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ActivityPage } from '../../shared/account-api.ts';
import { apiWithKey, createApiKey, createDatabaseFor } from '../helpers/activity.ts';
import { runIdpCli } from '../helpers/databases.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const idp = useTestIdp();
const password = 'correct horse battery staple';

/** Mails the `idp` command wrote (it has no SMTP in tests: .eml files in the outbox), to `to`. */
function outboxTo(to: string): string[] {
  const dir = path.join(idp.dataDir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).filter((m) => m.includes(`To: ${to}`))
    .map((m) => m.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
}

describe('support acts in the open', () => {
  it('set-login needs --reason, shows in the activity with it, and mails the person', async () => {
    const email = 'supported@example.com';
    const account = await idp.createAccount(email, password);
    await createDatabaseFor(idp, account.id, 'Helpdesk');
    const key = await createApiKey(idp, account.id);
    const env = { IDP_DATA_DIR: idp.dataDir };
    const args = ['membership', 'set-login', '--database', 'Helpdesk', '--account', email, '--login', 'renamed@example.com'];

    for (const extra of [[], ['--reason', ''], ['--reason', 'x'], ['--reason', 'two\nlines']]) {
      const refused = await runIdpCli([...args, ...extra], env);
      expect({ extra, code: refused.code }).toEqual({ extra, code: 2 });
      expect(refused.stderr).toMatch(/--reason/);
    }
    expect((await idp.services.databases.members((await idp.services.databases.findByName('Helpdesk'))!.id))[0]!.login).toBe(email);
    expect(outboxTo(email)).toEqual([]);

    const done = await runIdpCli([...args, '--reason', 'the person asked by phone, ticket 4711'], env);
    expect(done.code, done.stderr).toBe(0);
    expect(done.json()).toMatchObject({ old_login: email, new_login: 'renamed@example.com' });

    const page = (await apiWithKey<ActivityPage>(idp, key.secret, '/activity')).body;
    const entry = page.entries.find((e) => e.kind === 'membership.login_changed')!;
    expect(entry.detail).toBe(`The sign-in login on database Helpdesk was changed from ${email} to renamed@example.com. By support. Reason given: the person asked by phone, ticket 4711`);
    expect(entry).toMatchObject({ ip: null, device: null });
    const mails = outboxTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('Support made a change to your account');
    expect(mails[0]).toContain('changed your sign-in login on the database Helpdesk');
    expect(mails[0]).toContain('Reason given: the person asked by phone, ticket 4711');
  });

  it('apikey revoke needs --reason, shows in the activity with it, and mails the person', async () => {
    const email = 'leaked-key@example.com';
    const account = await idp.createAccount(email, password);
    const reader = await createApiKey(idp, account.id, 'reader');
    const leaked = await createApiKey(idp, account.id, 'leaked one');
    const env = { IDP_DATA_DIR: idp.dataDir };
    const args = ['apikey', 'revoke', '--account', email, '--key', leaked.visibleId];
    expect((await runIdpCli(args, env)).code).toBe(2);
    expect((await apiWithKey(idp, leaked.secret, '/status')).status).toBe(200);

    const done = await runIdpCli([...args, '--reason', 'found by a secret scanner in a public repository'], env);
    expect(done.code, done.stderr).toBe(0);
    expect((await apiWithKey(idp, leaked.secret, '/status')).status).toBe(401);
    const page = (await apiWithKey<ActivityPage>(idp, reader.secret, '/activity')).body;
    expect(page.entries.find((e) => e.kind === 'api_key.revoked')!.detail)
      .toBe(`API key ${leaked.visibleId} was revoked. By support. Reason given: found by a secret scanner in a public repository`);
    const mails = outboxTo(email);
    expect(mails.some((m) => m.includes('Support made a change to your account') && m.includes(leaked.visibleId) && m.includes('found by a secret scanner'))).toBe(true);
  });
});
