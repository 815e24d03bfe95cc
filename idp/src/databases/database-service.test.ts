/** The database rules on a real store: fixed logins, invitations bound to a verified email, owner-only actions, expiry. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import type { MailMessage } from '../mail/mailer.ts';
import { createServices, type Services } from '../services.ts';
import { clock, nowSeconds } from '../clock.ts';
import { openTestStore, type TestStore } from '../../../test/helpers/test-store.ts';
import { databaseLifecycle } from './database-lifecycle.ts';
import { databaseSignIn } from './database-sign-in.ts';
import { databaseService, INVITATION_TTL, type DatabaseServiceDeps } from './database-service.ts';
import { databaseMemberships } from './memberships.ts';

let dir: string;
let testStore: TestStore;
let services: Services;
const mails: MailMessage[] = [];
const operator = { kind: 'operator' } as const;
const input = (name: string) => ({
  name, url: `https://${name.toLowerCase()}.example`, redirectUris: [`https://${name.toLowerCase()}.example/callback`],
  postLogoutRedirectUris: [], tokenEndpointAuthMethod: 'client_secret_basic' as const,
});

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-dbs-'));
  const config = loadConfig({ IDP_DATA_DIR: dir, IDP_LOG_LEVEL: 'silent' });
  testStore = await openTestStore();
  services = createServices(config, testStore.store, { issuer: () => 'https://id.example', mailer: { send: async (m) => void mails.push(m), close: () => {} } });
});
afterAll(async () => {
  await testStore.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => { clock.offsetMs = 0; });

async function account(email: string, verified = true) {
  return await services.accounts.signUp({ email, password: 'a long passphrase 1', name: email.split('@')[0]! }, { sendVerification: false, verified });
}

describe('database service', () => {
  it('signs in a member with the login fixed at creation, not with a changed account email', async () => {
    const ann = await account('ann@example.com');
    const { database, clientId, clientSecret } = await services.databases.create(ann.id, input('Alpha'), operator);
    expect(clientSecret).toBeTruthy();
    expect(await services.databases.membershipForClient(clientId, ann.id)).toMatchObject({ login: 'ann@example.com', role: 'owner', status: 'active' });
    await services.accountsRepo.update(ann.id, { email: 'ann.b@example.com' }, nowSeconds());
    await expect(services.databases.authenticate(clientId, 'ANN@example.com', 'a long passphrase 1', { ip: '1.1.1.1' })).resolves.toMatchObject({ id: ann.id });
    await expect(services.databases.authenticate(clientId, 'ann.b@example.com', 'a long passphrase 1', { ip: '1.1.1.1' })).rejects.toThrow(/On Alpha you sign in as ann@example.com/);
    await expect(services.databases.authenticate(clientId, 'ann@example.com', 'wrong password 1', { ip: '1.1.1.1' })).rejects.toThrow('Incorrect email or password.');
    // Other clients (the portal) still use the account email.
    await expect(services.databases.authenticate('latchkey-portal', 'ann.b@example.com', 'a long passphrase 1', { ip: '1.1.1.1' })).resolves.toMatchObject({ id: ann.id });
    const changed = await services.databases.setLogin('alpha', 'ann.b@example.com', 'ann.b@example.com', operator);
    expect(changed).toMatchObject({ oldLogin: 'ann@example.com', newLogin: 'ann.b@example.com' });
    expect((await services.audit.listForAccount(ann.id))[0]).toMatchObject({ event: 'membership.login_changed', actor: 'operator', data: { database: 'Alpha', old: 'ann@example.com', new: 'ann.b@example.com' } });
    await expect(services.databases.create(ann.id, { ...input('ALPHA') }, operator)).rejects.toMatchObject({ code: 'conflict' });
    expect(await services.databases.findByName(' alpha ')).toMatchObject({ id: database.id });
  });

  it('shows an invitation only to the verified owner of the invited address, until it expires', async () => {
    const owner = await account('olga@example.com');
    const { database } = await services.databases.create(owner.id, input('Bravo'), operator);
    await services.databases.invite(database.id, 'Ben@Example.com', { kind: 'account', accountId: owner.id });
    expect(mails.at(-1)).toMatchObject({ to: 'ben@example.com', subject: 'You are invited to Bravo' });
    const unverified = await account('ben@example.com', false);
    expect(await services.databases.listForAccount(unverified)).toEqual([]);
    const other = await account('carl@example.com');
    const [invitation] = await services.databases.listForAccount({ ...unverified, emailVerifiedAt: nowSeconds() });
    expect(invitation).toMatchObject({ status: 'invited', login: 'ben@example.com', role: 'member' });
    await expect(services.databases.acceptInvitation(invitation!.id, other)).rejects.toThrow(/This invitation is for ben@example.com/);
    await expect(services.databases.acceptInvitation(invitation!.id, unverified)).rejects.toThrow(/confirmed email/);
    await expect(services.databases.invite(database.id, 'x@example.com', { kind: 'account', accountId: other.id })).rejects.toThrow('Only the owner of Bravo can do this.');
    clock.offsetMs = (INVITATION_TTL + 1) * 1000;
    expect(await services.databases.listForAccount({ ...unverified, emailVerifiedAt: nowSeconds() })).toEqual([]);
    await expect(services.databases.acceptInvitation(invitation!.id, { ...unverified, emailVerifiedAt: nowSeconds() })).rejects.toThrow(/expired/);
  });

  it('hands ownership only to an active member and never removes the owner', async () => {
    const owner = await account('dora@example.com');
    const member = await account('eve@example.com');
    const { database } = await services.databases.create(owner.id, input('Charlie'), operator);
    const invited = await services.databases.invite(database.id, member.email, operator);
    await expect(services.databases.transferOwnership(database.id, invited.id, operator)).rejects.toThrow(/active member/);
    await services.databases.acceptInvitation(invited.id, member);
    const ownerMembership = (await services.databases.membershipForClient(database.clientId, owner.id))!;
    await expect(services.databases.removeMember(database.id, ownerMembership.id, operator)).rejects.toThrow(/owner cannot be removed/);
    await expect(services.databases.leave(database.id, owner)).rejects.toThrow(/transfer the ownership/);
    await services.databases.transferOwnership(database.id, invited.id, { kind: 'account', accountId: owner.id });
    expect((await services.databases.findById(database.id))!.ownerId).toBe(member.id);
    expect((await services.databases.membershipForClient(database.clientId, owner.id))!.role).toBe('member');
    await services.databases.leave(database.id, owner);
    expect(await services.databases.membershipForClient(database.clientId, owner.id)).toBeUndefined();
    await expect(services.databases.delete(database.id, 'Charli', { kind: 'account', accountId: member.id })).rejects.toMatchObject({ code: 'invalid_input' });
    await services.databases.delete(database.id, 'charlie', { kind: 'account', accountId: member.id });
    expect(await services.databases.isDatabaseClient(database.clientId)).toBe(false);
  });

  it('refuses client settings oidc-provider would refuse, before storing anything', async () => {
    const owner = await account('fay@example.com');
    await expect(services.databases.create(owner.id, { ...input('Delta'), redirectUris: ['https://delta.example/cb#fragment'] }, operator))
      .rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('fragment') });
    expect(await services.databases.findByName('Delta')).toBeUndefined();
  });

  it('composes its three parts without one method hiding another', () => {
    // The facade spreads the parts: a name defined twice would silently keep only the last one.
    const deps = { repo: {}, clients: {}, accounts: {}, outbox: {}, audit: {}, issuer: () => '' } as unknown as DatabaseServiceDeps;
    const parts = [databaseLifecycle(deps), databaseMemberships(deps), databaseSignIn(deps)].map((p) => Object.keys(p));
    const names = parts.flat();
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(databaseService(deps)).sort()).toEqual([...names].sort());
    expect(names).toHaveLength(32);
  });
});
