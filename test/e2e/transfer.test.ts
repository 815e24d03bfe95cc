/**
 * `idp export` / `idp import`: a SQLite deployment moves to another store (PostgreSQL in
 * the `postgres` vitest project, else a fresh SQLite file) without losing an account, credential,
 * database, membership, API key, signing key or server secret; a non-empty target and a truncated file
 * are refused and change nothing. Sealed TOTP secrets move as they are: the target uses the source's
 * IDP_SECRET_KEY.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSync } from 'otplib';
import { nowSeconds } from '../../idp/src/clock.ts';
import { runIdp } from '../helpers/cli.ts';
import { startTestIdp, tempDir, type TestIdp } from '../helpers/idp.ts';
import { createTestDatabase, testOnPostgres, type TestDatabase } from '../helpers/postgres.ts';

const password = 'a long passphrase 1';
let sourceDir: string;
let targetEnv: Record<string, string>;
let target: TestDatabase | undefined;
let dump: string;
let before: { kids: string[]; cookieSecrets: string; apiKey: string; clientId: string; totpSecret: string; secretKey: string };

beforeAll(async () => {
  const source = await startTestIdp({}, { store: 'sqlite' });
  sourceDir = tempDir('latchkey-transfer-');
  try {
    const ann = await source.createAccount('ann@example.com', password, 'Ann');
    const ben = await source.createAccount('ben@example.com', password, 'Ben');
    const { database, clientId } = await source.services.databases.create(ann.id, {
      name: 'Acme', url: 'https://acme.example', redirectUris: ['https://acme.example/callback'], postLogoutRedirectUris: [],
      tokenEndpointAuthMethod: 'client_secret_basic',
    }, { kind: 'operator' });
    const invited = await source.services.databases.invite(database.id, ben.email, { kind: 'operator' });
    await source.services.databases.acceptInvitation(invited.id, (await source.services.accounts.findById(ben.id))!);
    await source.services.apiKeys.enableDeveloperMode(ann.id, { actor: ann.id });
    const { secret } = await source.services.apiKeys.create(ann.id, { description: 'script', duration: '1m', scope: 'read', databases: null }, { actor: ann.id });
    const kids = ((await (await fetch(`${source.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
    const cookieSecrets = (await source.services.db.get<{ value: string }>("SELECT value FROM server_settings WHERE name = 'cookie_secrets'"))!.value;
    // A second factor: its secret is sealed under the source's key, which the target must share.
    const annAccount = (await source.services.accounts.findById(ann.id))!;
    const enrollment = await source.services.security.twoFactor.startEnrollment(annAccount);
    await source.services.security.twoFactor.confirmEnrollment(annAccount, generateSync({ secret: enrollment.secret, epoch: nowSeconds() }));
    const secretKey = fs.readFileSync(path.join(source.dataDir, 'secret.key'), 'utf8').trim();
    before = { kids, cookieSecrets, apiKey: secret, clientId, totpSecret: enrollment.secret, secretKey };
  } finally {
    // Copy the SQLite file out before the helper removes its directory.
    await source.services.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    fs.copyFileSync(path.join(source.dataDir, 'idp.sqlite'), path.join(sourceDir, 'idp.sqlite'));
    await source.close();
  }
  dump = path.join(sourceDir, 'export.jsonl');
  if (testOnPostgres) {
    target = await createTestDatabase();
    targetEnv = { IDP_DATABASE_URL: target.url, IDP_DATA_DIR: tempDir('latchkey-transfer-target-'), IDP_SECRET_KEY: before.secretKey };
  } else {
    targetEnv = { IDP_DATA_DIR: tempDir('latchkey-transfer-target-'), IDP_SECRET_KEY: before.secretKey };
  }
}, 60_000);

afterAll(async () => {
  await target?.drop();
  fs.rmSync(sourceDir, { recursive: true, force: true });
  if (targetEnv) fs.rmSync(targetEnv.IDP_DATA_DIR!, { recursive: true, force: true });
});

describe('idp export and idp import', () => {
  it('exports every table as JSON lines', async () => {
    const exported = await runIdp(['export', '--out', dump], { IDP_DATA_DIR: sourceDir });
    expect(exported.code, exported.stderr).toBe(0);
    const summary = exported.json<{ rows: number; tables: Record<string, number> }>();
    expect(summary.tables).toMatchObject({ accounts: 2, databases: 1, memberships: 2, api_keys: 1, signing_keys: 3, developer_mode: 1 });
    expect(fs.statSync(dump).mode & 0o077).toBe(0);
    const lines = fs.readFileSync(dump, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { table?: string });
    expect(lines[0]).toMatchObject({ format: 'latchkey-export', from: 'sqlite' });
    const order = [...new Set(lines.map((l) => l.table).filter(Boolean))];
    expect(order.indexOf('accounts')).toBeLessThan(order.indexOf('memberships'));
  });

  it('refuses a truncated file and changes nothing', async () => {
    const truncated = `${dump}.truncated`;
    fs.writeFileSync(truncated, fs.readFileSync(dump, 'utf8').split('\n').slice(0, 5).join('\n'));
    const refused = await runIdp(['import', '--in', truncated], targetEnv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('truncated');
  });

  it('imports into an empty store; the deployment works there as before', async () => {
    const imported = await runIdp(['import', '--in', dump], targetEnv);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.json()).toMatchObject({ into: testOnPostgres ? 'postgres' : 'sqlite', tables: { accounts: 2, memberships: 2 } });

    let idp: TestIdp | undefined;
    try {
      idp = await startTestIdp(targetEnv, { store: 'sqlite' });
      const ann = await idp.services.accounts.authenticate('ANN@example.com', password, { ip: '127.0.0.1' });
      expect(ann.name).toBe('Ann');
      const [membership] = await idp.services.databases.listForAccount((await idp.services.accounts.findByEmail('ben@example.com'))!);
      expect(membership).toMatchObject({ role: 'member', status: 'active', login: 'ben@example.com', database: { name: 'Acme' } });
      expect(await idp.services.databases.membershipForClient(before.clientId, ann.id)).toMatchObject({ role: 'owner' });
      expect((await idp.services.apiKeys.authenticate(before.apiKey, null))?.accountId).toBe(ann.id);
      // The sealed TOTP secret came across as it was and opens with the same IDP_SECRET_KEY.
      const sealed = (await idp.services.db.get<{ secret: string }>("SELECT secret FROM credentials WHERE type = 'totp'"))!.secret;
      expect(sealed).toMatch(/^v2\./);
      expect((await idp.services.security.twoFactorRepo.findTotp(ann.id, 'totp'))?.secret).toBe(before.totpSecret);
      const kids = ((await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();
      expect(kids).toEqual(before.kids);
      expect((await idp.services.db.get<{ value: string }>("SELECT value FROM server_settings WHERE name = 'cookie_secrets'"))!.value).toBe(before.cookieSecrets);
      // Cookie and signing keys moved sealed too (issue 13), and open with the same key there.
      expect(before.cookieSecrets).toMatch(/^v2\./);
      expect((await idp.services.db.all<{ private_jwk: string }>('SELECT private_jwk FROM signing_keys')).every((k) => k.private_jwk.startsWith('v2.'))).toBe(true);
      // New audit rows get fresh ids after the imported ones.
      await idp.services.audit.record({ accountId: ann.id, actor: 'test', event: 'after.import' });
      expect((await idp.services.audit.listForAccount(ann.id))[0]).toMatchObject({ event: 'after.import' });
    } finally {
      await idp?.close();
    }
  }, 60_000);

  it('refuses to import into a store that has data', async () => {
    const again = await runIdp(['import', '--in', dump], targetEnv);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('not empty');
  });
});
