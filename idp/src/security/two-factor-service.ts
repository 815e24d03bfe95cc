/**
 * Two-factor authentication with an authenticator app (RFC 6238 TOTP: SHA-1, 6 digits, 30 s steps,
 * one step of drift either way) and ten one-time recovery codes.
 *
 * Invariants: 2FA is on only after a correct code for the new secret; a time step accepted once is
 * never accepted again for the account (the last used step is stored, and claiming a step is one
 * conditional UPDATE); recovery codes are stored as SHA-256 digests and deleted on use; failed codes
 * are limited per account; trusted-device cookies are random and only their digest is stored.
 */
import { generateSecret, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';
import crypto from 'node:crypto';
import type { Account } from '../accounts/types.ts';
import { AppError } from '../errors.ts';
import { nowSeconds } from '../clock.ts';
import type { AuditRepository } from './audit-repository.ts';
import type { SecurityNotifier, SeenFrom } from './notifications.ts';
import { tooManyAttempts, type RateLimiter } from './rate-limiter.ts';
import { randomToken, sha256 } from './tokens.ts';
import type { TwoFactorRepository } from './two-factor-repository.ts';
import { describeUserAgent, } from './user-agent.ts';
import type { TrustedDeviceSummary } from '../../../shared/account-api.ts';
import { msg } from '../i18n/translator.ts';

export const TOTP_PERIOD = 30;
export const RECOVERY_CODE_COUNT = 10;
export const TRUSTED_DEVICE_SECONDS = 30 * 24 * 3600;
export const SECOND_FACTOR_LIMIT = { max: 5, windowSeconds: 15 * 60 };
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export interface Enrollment {
  secret: string;
  uri: string;
  /** QR code of `uri` as an SVG data: URL (allowed by the page CSP). */
  qrDataUrl: string;
}

function newRecoveryCode(): string {
  const bytes = crypto.randomBytes(10);
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

export function twoFactorService(deps: {
  repo: TwoFactorRepository;
  limiter: RateLimiter;
  audit: AuditRepository;
  notifier: SecurityNotifier;
  issuerName: string;
}) {
  const { repo, limiter, audit, notifier } = deps;

  async function describe(account: Account, secret: string): Promise<Enrollment> {
    const uri = generateURI({ issuer: deps.issuerName, label: account.email, secret, algorithm: 'sha1', digits: 6, period: TOTP_PERIOD });
    const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return { secret, uri, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
  }

  /** The matching time step, or undefined. Checks drift of one step either way around our clock. */
  function matchStep(secret: string, code: string): number | undefined {
    if (!/^\d{6}$/.test(code)) return undefined;
    const result = verifySync({ secret, token: code, epoch: nowSeconds(), period: TOTP_PERIOD, epochTolerance: TOTP_PERIOD, digits: 6, algorithm: 'sha1' });
    return result.valid ? (result as { timeStep: number }).timeStep : undefined;
  }

  function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    return { codes, hashes: codes.map((c) => sha256(normalizeRecoveryCode(c))) };
  }

  /** Counts the attempt before checking the code (see rate-limiter.ts); a success resets the count. */
  async function guard(accountId: string): Promise<void> {
    const wait = await limiter.attempt([`2fa:account:${accountId}`, SECOND_FACTOR_LIMIT]);
    if (wait > 0) throw tooManyAttempts(wait, msg('Too many wrong codes.'));
  }

  async function failed(accountId: string, ip?: string): Promise<never> {
    await audit.record({ accountId, actor: accountId, event: '2fa.failed', ip });
    throw new AppError('invalid_credentials', 'That code is not valid. Enter the current 6-digit code from your app, or a recovery code.', {
      fields: { code: msg('That code is not valid.') },
    });
  }

  async function isEnabled(accountId: string): Promise<boolean> {
    return Boolean(await repo.findTotp(accountId, 'totp'));
  }

  return {
    isEnabled,
    async enabledAt(accountId: string): Promise<number | undefined> {
      return (await repo.findTotp(accountId, 'totp'))?.createdAt;
    },
    async recoveryCodesLeft(accountId: string): Promise<number> {
      return await repo.countRecoveryCodes(accountId);
    },

    /** Starts (or restarts) enrollment with a fresh secret; nothing changes until it is confirmed. */
    async startEnrollment(account: Account): Promise<Enrollment> {
      if (await isEnabled(account.id)) throw new AppError('conflict', 'Two-factor authentication is already on.');
      const secret = generateSecret({ length: 20 });
      await repo.savePendingTotp(account.id, secret);
      return await describe(account, secret);
    },
    async pendingEnrollment(account: Account): Promise<Enrollment | undefined> {
      const pending = await repo.findTotp(account.id, 'totp_pending');
      return pending && await describe(account, pending.secret);
    },
    /** Turns 2FA on when `code` matches the pending secret; returns the recovery codes to show once. */
    async confirmEnrollment(account: Account, code: string): Promise<string[]> {
      const pending = await repo.findTotp(account.id, 'totp_pending');
      if (!pending) throw new AppError('gone', 'Start again: the setup of two-factor authentication expired.');
      await guard(account.id);
      const step = matchStep(pending.secret, code.replace(/\s/g, ''));
      if (step === undefined) return await failed(account.id);
      const { codes, hashes } = newRecoveryCodes();
      await repo.activateTotp(account.id, pending.secret, step, hashes);
      await limiter.reset(`2fa:account:${account.id}`);
      await audit.record({ accountId: account.id, actor: account.id, event: '2fa.enabled' });
      await notifier.twoFactorEnabled(account);
      return codes;
    },
    async disable(account: Account): Promise<void> {
      await repo.removeTwoFactor(account.id);
      await repo.forgetTrustedDevices(account.id);
      await audit.record({ accountId: account.id, actor: account.id, event: '2fa.disabled' });
      await notifier.twoFactorDisabled(account);
    },
    /**
     * A password reset of an account never confirmed before removes 2FA (on or half set up) and its
     * recovery codes: whoever signed up with the address may have set them. True when there was any.
     */
    async removeAfterRecovery(accountId: string): Promise<boolean> {
      const had = Boolean(await repo.findTotp(accountId, 'totp') ?? await repo.findTotp(accountId, 'totp_pending')) || await repo.countRecoveryCodes(accountId) > 0;
      if (!had) return false;
      await repo.removeTwoFactor(accountId);
      await audit.record({ accountId, actor: accountId, event: '2fa.removed_by_recovery' });
      return true;
    },
    async regenerateRecoveryCodes(account: Account): Promise<string[]> {
      if (!await isEnabled(account.id)) throw new AppError('conflict', 'Turn on two-factor authentication first.');
      const { codes, hashes } = newRecoveryCodes();
      await repo.replaceRecoveryCodes(account.id, hashes);
      await audit.record({ accountId: account.id, actor: account.id, event: '2fa.recovery_codes_regenerated' });
      await notifier.recoveryCodesRegenerated(account);
      return codes;
    },

    /**
     * Checks a second factor: a 6-digit code from the app (never the same time step twice) or a
     * recovery code (each once). Throws `invalid_credentials` or `too_many_requests`.
     */
    async verify(account: Account, input: string, from: SeenFrom = {}): Promise<'totp' | 'recovery_code'> {
      await guard(account.id);
      const code = input.trim().replace(/\s/g, '');
      const totp = await repo.findTotp(account.id, 'totp');
      if (!totp) throw new AppError('conflict', 'Two-factor authentication is not on for this account.');
      if (/^\d{6}$/.test(code)) {
        const step = matchStep(totp.secret, code);
        if (step === undefined || !await repo.claimTimeStep(totp.id, step)) return await failed(account.id, from.ip ?? undefined);
        await limiter.reset(`2fa:account:${account.id}`);
        return 'totp';
      }
      const normalized = normalizeRecoveryCode(code);
      if (normalized.length !== 10 || !await repo.consumeRecoveryCode(account.id, sha256(normalized))) return await failed(account.id, from.ip ?? undefined);
      await limiter.reset(`2fa:account:${account.id}`);
      const left = await repo.countRecoveryCodes(account.id);
      await audit.record({ accountId: account.id, actor: account.id, event: '2fa.recovery_code_used', ip: from.ip, data: { left } });
      await notifier.recoveryCodeUsed(account, left, from);
      return 'recovery_code';
    },

    async trustDevice(accountId: string, userAgent: string, ip?: string): Promise<{ token: string; maxAgeSeconds: number }> {
      const token = randomToken();
      await repo.addTrustedDevice(accountId, sha256(token), userAgent, nowSeconds() + TRUSTED_DEVICE_SECONDS, ip ?? null);
      return { token, maxAgeSeconds: TRUSTED_DEVICE_SECONDS };
    },
    async isTrustedDevice(accountId: string, token: string | undefined): Promise<boolean> {
      return Boolean(token && /^[A-Za-z0-9_-]{20,100}$/.test(token) && await repo.isTrustedDevice(accountId, sha256(token)));
    },
    countTrustedDevices: repo.countTrustedDevices,
    /** The remembered devices (browser, OS, IP, added, last used), for the person and the data export. */
    async listTrustedDevices(accountId: string): Promise<TrustedDeviceSummary[]> {
      const iso = (s: number) => new Date(s * 1000).toISOString();
      return (await repo.listTrustedDevices(accountId)).map((d) => ({
        id: d.id, ...describeUserAgent(d.userAgent), ip: d.ip, addedAt: iso(d.createdAt),
        lastUsedAt: d.lastUsedAt === null ? null : iso(d.lastUsedAt), expiresAt: iso(d.expiresAt),
      }));
    },
    /** Forgets one remembered device: it is asked for a code at its next sign-in. */
    async revokeTrustedDevice(accountId: string, id: string): Promise<boolean> {
      const device = (await repo.listTrustedDevices(accountId)).find((d) => d.id === id);
      if (!device || !await repo.revokeTrustedDevice(accountId, id)) return false;
      await audit.record({ accountId, actor: accountId, event: '2fa.trusted_device_revoked', data: { userAgent: device.userAgent.slice(0, 512) } });
      return true;
    },
    async forgetTrustedDevices(accountId: string): Promise<number> {
      return await repo.forgetTrustedDevices(accountId);
    },

    /** A sign-in whose password was right, waiting for its second factor in interaction `uid`. */
    setPending: async (uid: string, accountId: string) => await repo.setPending(uid, accountId, 10 * 60),
    findPending: repo.findPending,
    clearPending: repo.clearPending,
  };
}

export type TwoFactorService = ReturnType<typeof twoFactorService>;
