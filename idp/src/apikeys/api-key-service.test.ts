import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailMessage } from '../mail/mailer.ts';
import { mailOutbox } from '../mail/outbox.ts';
import { auditRepository } from '../security/audit-repository.ts';
import { clock } from '../clock.ts';
import type { Store } from '../storage/store.ts';
import { openTestStore, type TestStore } from '../../../test/helpers/test-store.ts';
import { apiKeyRepository } from './api-key-repository.ts';
import { apiKeyService, generateApiKey, parseApiKey, type ApiKeyService } from './api-key-service.ts';
import type { MembershipDirectory } from './types.ts';

const ISSUER = 'https://id.example.com';
let testStore: TestStore;
let db: Store;
let service: ApiKeyService;
let mails: MailMessage[];
const members = new Map<string, { login: string; role: 'owner' | 'member' }>(); // `${databaseId}:${accountId}`
const directory: MembershipDirectory = {
  databaseForClient: async (clientId) => ({ 'client-a': { id: 'db_a', name: 'Acme' }, 'client-b': { id: 'db_b', name: 'Bolt' } })[clientId],
  membership: async (databaseId, accountId) => members.get(`${databaseId}:${accountId}`),
  databasesOf: async (accountId) => [{ id: 'db_a', name: 'Acme' }, { id: 'db_b', name: 'Bolt' }].filter((d) => members.has(`${d.id}:${accountId}`)),
};
const me = { actor: 'acc_1', ip: '203.0.113.9' };

beforeEach(async () => {
  clock.offsetMs = 0;
  testStore = await openTestStore();
  db = testStore.store;
  await db.run("INSERT INTO accounts (id, email, name, email_verified_at, created_at, updated_at) VALUES ('acc_1', 'ada@example.com', 'Ada', 1, 0, 0)");
  members.clear();
  members.set('db_a:acc_1', { login: 'ada@acme.example', role: 'owner' });
  members.set('db_b:acc_1', { login: 'ada@example.com', role: 'member' });
  mails = [];
  service = apiKeyService({
    repo: apiKeyRepository(db), memberships: directory, audit: auditRepository(db),
    accounts: { findById: (id) => db.get('SELECT id, email, name, email_verified_at AS "emailVerifiedAt" FROM accounts WHERE id = ?', [id]) as never },
    outbox: mailOutbox({ mailer: { send: async (m) => void mails.push(m), close: () => {} }, issuer: () => ISSUER }), issuer: () => ISSUER,
  });
});
afterEach(async () => {
  clock.offsetMs = 0;
  await testStore.dispose();
});

const newKey = async (over: Partial<Parameters<ApiKeyService['create']>[1]> = {}) =>
  await service.create('acc_1', { description: 'ci', duration: '1w', scope: 'read', databases: null, ...over }, me);

describe('key format', () => {
  it('has a scannable prefix, a visible id and 256 random bits', () => {
    const a = generateApiKey();
    expect(a.secret).toMatch(/^lk_[a-z2-7]{10}_[A-Za-z0-9_-]{43}$/);
    expect(a.secret.startsWith(`${a.visibleId}_`)).toBe(true);
    expect(parseApiKey(a.secret)?.visibleId).toBe(a.visibleId);
    expect(generateApiKey().secret).not.toBe(a.secret);
    expect(parseApiKey('lk_short')).toBeUndefined();
    expect(parseApiKey(`${a.secret}x`)).toBeUndefined();
  });
});

describe('an account whose email is not confirmed', () => {
  it('cannot turn on developer mode or create a key, and a key it had opens nothing (the operator may still act)', async () => {
    await service.enableDeveloperMode('acc_1', me);
    const { secret } = await newKey();
    await db.run('UPDATE accounts SET email_verified_at = NULL WHERE id = ?', ['acc_1']);
    expect(await service.authenticate(secret, null)).toBeUndefined();
    expect(await service.introspect(secret, 'client-a', null, ISSUER)).toBeUndefined();
    await expect(newKey()).rejects.toThrow('Confirm your email address first');
    await service.disableDeveloperMode('acc_1', me);
    await expect(service.enableDeveloperMode('acc_1', me)).rejects.toThrow('Confirm your email address first');
    await service.enableDeveloperMode('acc_1', { actor: 'operator' });
    expect(await service.isDeveloperMode('acc_1')).toBe(true);
  });
});

describe('developer mode', () => {
  it('is needed to create a key, and turning it off revokes every key', async () => {
    await expect(newKey()).rejects.toMatchObject({ code: 'forbidden' });
    await service.enableDeveloperMode('acc_1', me);
    const { secret } = await newKey();
    await newKey();
    expect(await service.disableDeveloperMode('acc_1', me)).toBe(2);
    expect(await service.listLive('acc_1')).toHaveLength(0);
    expect(await service.authenticate(secret, null)).toBeUndefined();
  });
});

describe('create, introspect, rotate, revoke', () => {
  beforeEach(() => service.enableDeveloperMode('acc_1', me));

  it('stores only a hash and mails the owner', async () => {
    const { key, secret } = await newKey();
    const row = await db.get<Record<string, unknown>>('SELECT * FROM api_keys');
    expect(JSON.stringify(row)).not.toContain(secret.slice(14));
    expect(key.expiresAt - key.createdAt).toBe(7 * 24 * 3600);
    expect(mails.at(-1)?.subject).toMatch(/new API key/);
    expect(mails.at(-1)?.text).not.toContain(secret);
  });

  it('answers introspection with the membership login, only where the key and the membership allow', async () => {
    const { secret } = await newKey({ databases: ['db_a'], scope: 'read-write' });
    const answer = await service.introspect(secret, 'client-a', '198.51.100.7', ISSUER);
    expect(answer).toMatchObject({ active: true, sub: 'acc_1', login: 'ada@acme.example', role: 'owner', scope: 'read-write', token_type: 'api_key', client_id: 'client-a' });
    expect(await service.introspect(secret, 'client-b', null, ISSUER)).toBeUndefined(); // not allowed by the key
    expect(await service.introspect(secret, 'client-x', null, ISSUER)).toBeUndefined(); // not a database
    members.delete('db_a:acc_1');
    expect(await service.introspect(secret, 'client-a', null, ISSUER)).toBeUndefined(); // left the database
  });

  it('refuses to limit a key to a database the account is not in, or to none', async () => {
    await expect(newKey({ databases: ['db_zzz'] })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(newKey({ databases: [] })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('records last use at most once a minute', async () => {
    const { key, secret } = await newKey();
    await service.introspect(secret, 'client-a', '198.51.100.7', ISSUER);
    expect(await service.get('acc_1', key.id)).toMatchObject({ lastUsedIp: '198.51.100.7' });
    await service.introspect(secret, 'client-a', '198.51.100.8', ISSUER);
    expect((await service.get('acc_1', key.id)).lastUsedIp).toBe('198.51.100.7');
    clock.offsetMs = 61_000;
    await service.introspect(secret, 'client-a', '198.51.100.8', ISSUER);
    expect((await service.get('acc_1', key.id)).lastUsedIp).toBe('198.51.100.8');
  });

  it('expires by the store clock and is purged', async () => {
    const { secret } = await newKey({ duration: '1d' });
    clock.offsetMs = 24 * 3600 * 1000 - 5000;
    expect(await service.authenticate(secret, null)).toBeDefined();
    clock.offsetMs = 24 * 3600 * 1000;
    expect(await service.authenticate(secret, null)).toBeUndefined();
    expect(await service.listLive('acc_1')).toHaveLength(0);
    expect(await service.purgeExpired()).toBe(1);
  });

  it('rotates without grace: the old secret dies at once', async () => {
    const { key, secret: old } = await newKey();
    const { key: rotated, secret } = await service.rotate('acc_1', key.id, 0, me);
    expect(rotated.id).toBe(key.id);
    expect(secret.startsWith(key.visibleId)).toBe(true);
    expect(await service.authenticate(old, null)).toBeUndefined();
    expect((await service.authenticate(secret, null))?.id).toBe(key.id);
    expect(mails.at(-1)?.subject).toMatch(/rotated/);
  });

  it('rotates with grace: the old secret lives for the grace period only, and says so in exp', async () => {
    const { key, secret: old } = await newKey();
    const { secret } = await service.rotate('acc_1', key.id, 3600, me);
    const graceAnswer = (await service.introspect(old, 'client-a', null, ISSUER))!;
    expect(graceAnswer.exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(3600);
    clock.offsetMs = 3600 * 1000;
    expect(await service.authenticate(old, null)).toBeUndefined();
    expect(await service.authenticate(secret, null)).toBeDefined();
  });

  it('revokes, and caps live keys at 20', async () => {
    const { key, secret } = await newKey();
    await service.revoke('acc_1', key.id, me);
    expect(await service.authenticate(secret, null)).toBeUndefined();
    await expect(service.revoke('acc_1', key.id, me)).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
    for (let i = 0; i < 20; i++) await newKey();
    await expect(newKey()).rejects.toMatchObject({ code: 'conflict' });
  });

  it('dies with the account', async () => {
    const { secret } = await newKey();
    await db.run("DELETE FROM accounts WHERE id = 'acc_1'");
    expect(await service.authenticate(secret, null)).toBeUndefined();
    expect(await db.get('SELECT count(*) AS n FROM api_keys')).toEqual({ n: 0 });
  });

  it('rejects a forged secret with a real visible id', async () => {
    const { secret } = await newKey();
    const forged = `${secret.slice(0, 14)}${'A'.repeat(43)}`;
    expect(await service.authenticate(forged, null)).toBeUndefined();
  });
});

describe('key order', () => {
  it('lists keys created in the same second newest first, in insertion order (api_keys.seq on both engines)', async () => {
    const repo = apiKeyRepository(db);
    const at = 1_000_000;
    const key = (id: string, visibleId: string) => ({
      id, accountId: 'acc_1', visibleId, description: id, scope: 'read' as const, databases: null, secretHash: `h_${id}`,
      previousSecretHash: null, previousExpiresAt: null, createdAt: at, expiresAt: at + 3600, rotatedAt: null, lastUsedAt: null, lastUsedIp: null,
    });
    // Ids and visible ids sort against insertion order, so only the insertion column can give this order.
    for (const [id, visibleId] of [['key_c', 'lk_c'], ['key_b', 'lk_b'], ['key_a', 'lk_a']] as const) await repo.insert(key(id, visibleId));
    await db.run("DELETE FROM api_keys WHERE id = 'key_a'");
    await repo.insert(key('key_z', 'lk_z'));
    await repo.insert(key('key_a', 'lk_a'));
    expect((await repo.listLive('acc_1', at)).map((k) => k.id)).toEqual(['key_a', 'key_z', 'key_b', 'key_c']);
    expect((await repo.listAllLive(at)).map((k) => k.id)).toEqual(['key_c', 'key_b', 'key_z', 'key_a']);
  });
});
