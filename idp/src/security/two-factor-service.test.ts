import { generateSync } from 'otplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../accounts/types.ts';
import type { MailMessage } from '../mail/mailer.ts';
import { clock, nowSeconds } from '../clock.ts';
import type { Store } from '../storage/store.ts';
import { openTestStore, type TestStore } from '../../../test/helpers/test-store.ts';
import { auditRepository } from './audit-repository.ts';
import { securityNotifier } from './notifications.ts';
import { mailOutbox } from '../mail/outbox.ts';
import { rateLimiter } from './rate-limiter.ts';
import crypto from 'node:crypto';
import { secretBox } from '../storage/secret-box.ts';
import { twoFactorRepository, type TwoFactorRepository } from './two-factor-repository.ts';
import { twoFactorService } from './two-factor-service.ts';

let testStore: TestStore;
let db: Store;
const mails: MailMessage[] = [];
let service: ReturnType<typeof twoFactorService>;
let repo: TwoFactorRepository;
const account: Account = { id: 'acc_unit', email: 'unit@example.com', emailVerifiedAt: 1, name: 'Unit', locale: 'en', timezone: 'UTC', createdAt: 1, updatedAt: 1 };

beforeAll(async () => {
  testStore = await openTestStore();
  db = testStore.store;
  await db.run(`INSERT INTO accounts (id, email, email_verified_at, name, locale, timezone, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [account.id, account.email, account.emailVerifiedAt, account.name, account.locale, account.timezone, account.createdAt, account.updatedAt]);
  const notifier = securityNotifier({ outbox: mailOutbox({ mailer: { send: async (m) => void mails.push(m), close: () => {} }, issuer: () => 'http://localhost' }) });
  repo = twoFactorRepository(db, secretBox(crypto.randomBytes(32)));
  service = twoFactorService({ repo, limiter: rateLimiter(db), audit: auditRepository(db), notifier, issuerName: 'Latchkey' });
});
afterAll(async () => {
  await testStore.dispose();
});
afterEach(() => { clock.offsetMs = 0; });

const code = (secret: string, steps = 0) => generateSync({ secret, epoch: nowSeconds() + steps * 30 });

describe('two-factor service', () => {
  it('is off until a right code confirms the secret; the otpauth URI says SHA1, 6 digits, 30 s', async () => {
    const enrollment = await service.startEnrollment(account);
    expect(enrollment.uri).toMatch(/^otpauth:\/\/totp\/Latchkey:unit%40example\.com\?/);
    // SHA1, 6 digits and 30 s are the otpauth defaults, so the URI leaves them out (or states them).
    expect(enrollment.uri).not.toMatch(/algorithm=(?!SHA1)|digits=(?!6)|period=(?!30)/);
    expect(enrollment.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(await service.isEnabled(account.id)).toBe(false);
    await expect(service.confirmEnrollment(account, '000000')).rejects.toMatchObject({ code: 'invalid_credentials' });
    const rawSecret = async () => (await db.get<{ secret: string }>("SELECT secret FROM credentials WHERE type IN ('totp', 'totp_pending')"))!.secret;
    expect(await rawSecret()).toMatch(/^v2\./); // the pending secret is sealed too
    const codes = await service.confirmEnrollment(account, code(enrollment.secret));
    // The stored TOTP secret is sealed (and bound to this account), never the clear secret.
    expect(await rawSecret()).toMatch(/^v2\./);
    expect(await rawSecret()).not.toContain(enrollment.secret);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(await service.isEnabled(account.id)).toBe(true);
    // Only digests are stored.
    const stored = await db.all<{ secret: string }>("SELECT secret FROM credentials WHERE type = 'recovery_code'");
    expect(stored.some((r) => codes.includes(r.secret))).toBe(false);

    // One step of drift either way is accepted, each step only once, and never an older step.
    const secret = enrollment.secret;
    clock.offsetMs = 5 * 60 * 1000;
    expect(await service.verify(account, code(secret, -1))).toBe('totp');
    await expect(service.verify(account, code(secret, -1))).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(await service.verify(account, code(secret, 1))).toBe('totp');
    await expect(service.verify(account, code(secret, 0))).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(service.verify(account, code(secret, 2))).rejects.toMatchObject({ code: 'invalid_credentials' });

    // Recovery codes: any case and spacing, each once, with a mail saying how many are left.
    expect(await service.verify(account, ` ${codes[3]!.toUpperCase().replace('-', ' ')} `)).toBe('recovery_code');
    expect(await service.recoveryCodesLeft(account.id)).toBe(9);
    expect(mails.at(-1)?.subject).toBe('A recovery code was used');
    // Five failures fill the window: even a right code waits.
    for (let i = 0; i < 5; i++) await expect(service.verify(account, `12345${i}`)).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(service.verify(account, codes[4]!)).rejects.toMatchObject({ code: 'too_many_requests' });
  });

  it('regenerates recovery codes, trusts devices by digest, and forgets them when turned off', async () => {
    await db.run('DELETE FROM rate_limits');
    const fresh = await service.regenerateRecoveryCodes(account);
    expect(await service.recoveryCodesLeft(account.id)).toBe(10);
    expect(fresh).toHaveLength(10);
    const { token } = await service.trustDevice(account.id, 'UA');
    expect(await service.isTrustedDevice(account.id, token)).toBe(true);
    expect(await service.isTrustedDevice('acc_other', token)).toBe(false);
    expect(await service.isTrustedDevice(account.id, 'x'.repeat(43))).toBe(false);
    clock.offsetMs = 31 * 24 * 3600 * 1000;
    expect(await service.isTrustedDevice(account.id, token)).toBe(false);
    clock.offsetMs = 0;
    await service.disable(account);
    expect(await service.isEnabled(account.id)).toBe(false);
    expect(await service.countTrustedDevices(account.id)).toBe(0);
    expect(await service.recoveryCodesLeft(account.id)).toBe(0);
  });

  it('still verifies a secret stored in clear by an earlier version, and seals it', async () => {
    await db.run('DELETE FROM rate_limits');
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await db.run(`INSERT INTO credentials (id, account_id, type, secret, data, created_at, updated_at)
      VALUES ('cred_legacy', ?, 'totp', ?, '{"lastTimeStep":0}', 1, 1)`, [account.id, secret]);
    const raw = async () => (await db.get<{ secret: string }>("SELECT secret FROM credentials WHERE id = 'cred_legacy'"))!.secret;
    expect(await service.verify(account, code(secret, -1))).toBe('totp');
    expect(await repo.sealLegacySecrets()).toBe(1);
    expect(await raw()).toMatch(/^v2\./);
    expect(await repo.sealLegacySecrets()).toBe(0);
    expect(await service.verify(account, code(secret))).toBe('totp');
    // A sealed secret copied onto another account does not open there.
    await db.run(`INSERT INTO accounts (id, email, email_verified_at, name, locale, timezone, created_at, updated_at)
      VALUES ('acc_thief', 'thief@example.com', 1, 'T', 'en', 'UTC', 1, 1)`);
    await db.run(`INSERT INTO credentials (id, account_id, type, secret, data, created_at, updated_at)
      VALUES ('cred_copy', 'acc_thief', 'totp', ?, '{}', 1, 1)`, [await raw()]);
    await expect(service.verify({ ...account, id: 'acc_thief' }, code(secret, 1))).rejects.toThrow(/does not open/);
    await service.disable(account);
  });
});
