import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { softAuthenticator } from '../../../test/helpers/webauthn.ts';
import { accountRepository } from '../accounts/account-repository.ts';
import type { Account } from '../accounts/types.ts';
import { clock } from '../clock.ts';
import type { MailMessage } from '../mail/mailer.ts';
import { mailOutbox } from '../mail/outbox.ts';
import { auditRepository } from '../security/audit-repository.ts';
import { rateLimiter } from '../security/rate-limiter.ts';
import type { Store } from '../storage/store.ts';
import { openTestStore, type TestStore } from '../../../test/helpers/test-store.ts';
import { passkeyRepository } from './passkey-repository.ts';
import { passkeyService, type PasskeyService } from './passkey-service.ts';
import { MAX_PASSKEYS } from './types.ts';

const ISSUER = 'https://id.example.com';
const SESSION = 'session-uid-1';
const IP = '203.0.113.7';
let testStore: TestStore;
let db: Store;
let service: PasskeyService;
let mails: MailMessage[];
let ada: Account;

beforeEach(async () => {
  clock.offsetMs = 0;
  testStore = await openTestStore();
  db = testStore.store;
  await db.run("INSERT INTO accounts (id, email, email_verified_at, name, created_at, updated_at) VALUES ('acc_1', 'ada@example.com', 1, 'Ada', 0, 0)");
  await db.run("INSERT INTO credentials (id, account_id, type, secret, data, created_at, updated_at) VALUES ('cred_1', 'acc_1', 'password', 'x', '{}', 0, 0)");
  mails = [];
  const accounts = accountRepository(db);
  ada = (await accounts.findById('acc_1'))!;
  service = passkeyService({
    repo: passkeyRepository(db), accounts, limiter: rateLimiter(db), audit: auditRepository(db),
    outbox: mailOutbox({ mailer: { send: async (m) => void mails.push(m), close: () => {} }, issuer: () => ISSUER }), issuer: () => ISSUER,
  });
});
afterEach(async () => {
  clock.offsetMs = 0;
  await testStore.dispose();
});

const events = () => db.all<{ event: string; data: string }>('SELECT event, data FROM audit_log ORDER BY id');
const rows = async () => Number((await db.get<{ n: number }>('SELECT count(*) AS n FROM webauthn_credentials'))!.n);

async function addPasskey(authenticator = softAuthenticator({ origin: ISSUER }), name = 'Laptop') {
  const options = await service.registrationOptions(ada, SESSION, IP);
  const passkey = await service.register(ada, SESSION, JSON.stringify(authenticator.register(options)), name, { ip: IP });
  return { authenticator, passkey };
}

describe('registration', () => {
  it('asks for a discoverable, user-verified credential for this site, without attestation', async () => {
    const options = await service.registrationOptions(ada, SESSION);
    expect(options.rp).toEqual({ name: 'Latchkey', id: 'id.example.com' });
    expect(options.attestation).toBe('none');
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
    expect(options.user.name).toBe('ada@example.com');
    expect(options.user.id).not.toContain('acc_1');
  });

  it('stores a verified passkey, logs and mails it, and excludes it from the next options', async () => {
    const { passkey } = await addPasskey();
    expect(passkey).toMatchObject({ accountId: 'acc_1', name: 'Laptop', signCount: 0, backupEligible: false, transports: ['internal'] });
    expect(await service.list('acc_1')).toHaveLength(1);
    expect((await events()).map((e) => e.event)).toContain('passkey.added');
    expect(mails.at(-1)?.subject).toBe('A passkey was added to your account');
    const next = await service.registrationOptions(ada, SESSION);
    expect(next.excludeCredentials?.map((c) => c.id)).toEqual([passkey.credentialId]);
  });

  it('refuses a wrong origin, a wrong rp id, no user verification, each with a sentence, storing nothing', async () => {
    for (const [spoil, message] of [
      [{ origin: 'https://evil.example' }, /made for another site/],
      [{ rpId: 'evil.example' }, /another site \(relying party id\)/],
      [{ userVerified: false }, /did not verify you/],
      [{ type: 'webauthn.get' }, /wrong kind/],
    ] as const) {
      const options = await service.registrationOptions(ada, SESSION);
      const answer = softAuthenticator({ origin: ISSUER }).register(options, spoil);
      await expect(service.register(ada, SESSION, answer, 'x')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(message) });
    }
    expect(await rows()).toBe(0);
  });

  it('uses a challenge once, only for its session and account, and not after 5 minutes', async () => {
    const authenticator = softAuthenticator({ origin: ISSUER });
    const options = await service.registrationOptions(ada, SESSION);
    const answer = authenticator.register(options);
    await expect(service.register(ada, 'another-session', answer, 'x')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/expired or was already used/) });
    // Taken by the failed attempt: the right session cannot use it either.
    await expect(service.register(ada, SESSION, answer, 'x')).rejects.toMatchObject({ message: expect.stringMatching(/expired or was already used/) });

    const late = await service.registrationOptions(ada, SESSION);
    clock.offsetMs = 5 * 60 * 1000 + 1000;
    await expect(service.register(ada, SESSION, authenticator.register(late), 'x')).rejects.toMatchObject({ message: expect.stringMatching(/expired/) });
    expect(await rows()).toBe(0);
  });

  it('refuses malformed answers with a sentence', async () => {
    await expect(service.register(ada, SESSION, '{not json', 'x')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/not valid JSON/) });
    await expect(service.register(ada, SESSION, { id: 'abc' }, 'x')).rejects.toMatchObject({ status: 400 });
    await expect(service.register(ada, SESSION, '', 'x')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/no answer/) });
    const options = await service.registrationOptions(ada, SESSION);
    const answer = softAuthenticator({ origin: ISSUER }).register(options);
    answer.response.clientDataJSON = Buffer.from('nonsense').toString('base64url');
    await expect(service.register(ada, SESSION, answer, 'x')).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/could not be read/) });
  });

  it(`allows at most ${MAX_PASSKEYS} passkeys and refuses registering one twice`, async () => {
    const first = softAuthenticator({ origin: ISSUER });
    await addPasskey(first);
    const again = await service.registrationOptions(ada, SESSION);
    await expect(service.register(ada, SESSION, first.register(again), 'again')).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/already registered/) });
    for (let i = 1; i < MAX_PASSKEYS; i++) await addPasskey(undefined, `Key ${i}`);
    await expect(service.registrationOptions(ada, SESSION)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/already have 20 passkeys/) });
  });

  it('refuses an account whose email is not confirmed', async () => {
    const unconfirmed = { ...ada, emailVerifiedAt: null };
    await expect(service.registrationOptions(unconfirmed, SESSION)).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/Confirm your email address first/) });
    const options = await service.registrationOptions(ada, SESSION);
    await expect(service.register(unconfirmed, SESSION, softAuthenticator({ origin: ISSUER }).register(options), 'x')).rejects.toMatchObject({ status: 403 });
    expect(await rows()).toBe(0);
  });

  it('names a synced passkey as such', async () => {
    const { passkey } = await addPasskey(softAuthenticator({ origin: ISSUER, backupEligible: true }));
    expect(passkey.backupEligible).toBe(true);
  });
});

describe('sign-in', () => {
  it('finds the account from the passkey alone (no email in the options) and moves the counter', async () => {
    const { authenticator, passkey } = await addPasskey();
    const options = await service.signInOptions('interaction-1', IP);
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(JSON.stringify(options)).not.toContain('ada@example.com');
    expect(options.userVerification).toBe('required');
    const result = await service.signIn('interaction-1', authenticator.assert(options), IP);
    expect(result.account.id).toBe('acc_1');
    expect(result.amr).toEqual(['hwk', 'user', 'pop']);
    const [stored] = await service.list('acc_1');
    expect(stored!.signCount).toBe(1);
    expect(stored!.lastUsedAt).not.toBeNull();
    expect(stored!.id).toBe(passkey.id);
  });

  it('says swk for a synced passkey', async () => {
    const { authenticator } = await addPasskey(softAuthenticator({ origin: ISSUER, backupEligible: true }));
    const options = await service.signInOptions('i', IP);
    expect((await service.signIn('i', authenticator.assert(options), IP)).amr).toEqual(['swk', 'user', 'pop']);
  });

  it('refuses a replayed answer, a challenge of another interaction, and an unknown credential', async () => {
    const { authenticator } = await addPasskey();
    const options = await service.signInOptions('interaction-1', IP);
    const answer = authenticator.assert(options);
    await service.signIn('interaction-1', answer, IP);
    await expect(service.signIn('interaction-1', answer, IP)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/already used/) });
    const other = await service.signInOptions('interaction-2', IP);
    await expect(service.signIn('interaction-1', authenticator.assert(other), IP)).rejects.toMatchObject({ status: 400 });
    const stranger = softAuthenticator({ origin: ISSUER });
    stranger.register({ challenge: 'x'.repeat(43), user: { id: 'dXNlcg' } });
    const third = await service.signInOptions('interaction-3', IP);
    await expect(service.signIn('interaction-3', stranger.assert(third), IP)).rejects.toMatchObject({ status: 401, message: expect.stringMatching(/not registered here/) });
  });

  it('refuses and logs a counter that goes backwards (a cloned authenticator)', async () => {
    const { authenticator } = await addPasskey();
    for (let i = 0; i < 3; i++) {
      const options = await service.signInOptions('i', IP);
      await service.signIn('i', authenticator.assert(options), IP);
    }
    const options = await service.signInOptions('i', IP);
    await expect(service.signIn('i', authenticator.assert(options, { counter: 2 }), IP)).rejects.toMatchObject({ status: 401, message: expect.stringMatching(/counter went backwards/) });
    const logged = (await events()).find((e) => e.event === 'passkey.counter_regression');
    expect(JSON.parse(logged!.data)).toMatchObject({ stored: 3, received: 2 });
    expect((await service.list('acc_1'))[0]!.signCount).toBe(3);
  });

  it('refuses a bad signature and an answer without user verification', async () => {
    const { authenticator } = await addPasskey();
    const options = await service.signInOptions('i', IP);
    const answer = authenticator.assert(options);
    answer.response.signature = Buffer.from('garbage').toString('base64url');
    await expect(service.signIn('i', answer, IP)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/could not be verified/) });
    const next = await service.signInOptions('i', IP);
    await expect(service.signIn('i', authenticator.assert(next, { userVerified: false }), IP)).rejects.toMatchObject({ message: expect.stringMatching(/did not verify you/) });
  });

  it('throttles failures per account like passwords', async () => {
    const { authenticator } = await addPasskey();
    let last: unknown;
    for (let i = 0; i < 11; i++) {
      const options = await service.signInOptions(`i${i}`, IP);
      last = await service.signIn(`i${i}`, authenticator.assert(options, { origin: 'https://evil.example' }), IP).catch((e: unknown) => e);
    }
    expect(last).toMatchObject({ status: 429 });
  });
});

describe('re-authentication, rename, delete, reset', () => {
  it('re-authenticates with an own passkey only', async () => {
    const { authenticator } = await addPasskey();
    const options = await service.reauthOptions(ada, SESSION);
    expect(options.allowCredentials).toHaveLength(1);
    expect(await service.reauthenticate(ada, SESSION, authenticator.assert(options))).toBeGreaterThan(0);
    const signIn = await service.signInOptions('i', IP);
    await expect(service.reauthenticate(ada, SESSION, authenticator.assert(signIn))).rejects.toMatchObject({ status: 400 });
  });

  it('renames and deletes (with a mail), and refuses deleting the last way in of an account without a password', async () => {
    const { passkey } = await addPasskey();
    expect((await service.rename(ada, passkey.id, 'Phone')).name).toBe('Phone');
    await expect(service.rename(ada, 'pk_nope', 'x')).rejects.toMatchObject({ status: 404 });
    await db.run("DELETE FROM credentials WHERE type = 'password'");
    await expect(service.remove(ada, passkey.id)).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/only way left to sign in/) });
    const second = await addPasskey(undefined, 'Key');
    await service.remove(ada, passkey.id);
    expect(mails.at(-1)?.subject).toBe('A passkey was removed from your account');
    await expect(service.remove(ada, second.passkey.id)).rejects.toMatchObject({ status: 409 });
    expect(await rows()).toBe(1);
  });

  it('deletes every passkey while a password exists', async () => {
    const a = await addPasskey();
    const b = await addPasskey(undefined, 'Key');
    await service.remove(ada, a.passkey.id);
    await service.remove(ada, b.passkey.id);
    expect(await rows()).toBe(0);
  });

  it('removes the ticked passkeys on a password reset and reports the kept ones', async () => {
    const a = await addPasskey(undefined, 'A');
    const b = await addPasskey(undefined, 'B');
    const { removed, kept } = await service.removeForReset('acc_1', [a.passkey.id, 'pk_of_someone_else']);
    expect(removed.map((p) => p.name)).toEqual(['A']);
    expect(kept.map((p) => p.name)).toEqual(['B']);
    expect(b.passkey.id).toBe(kept[0]!.id);
  });

  it('removes the passkeys with the account', async () => {
    await addPasskey();
    await db.run("DELETE FROM accounts WHERE id = 'acc_1'");
    expect(await rows()).toBe(0);
  });
});
