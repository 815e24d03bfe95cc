/**
 * The activity and lockdown as the extension calls them (DPoP-bound access token): it reads its
 * account's activity, and "this wasn't me" (`POST /api/v1/lockdown`) ends every session, revokes every
 * API key and its own grant (the access and refresh tokens stop working) and locks sign-in.
 */
import * as oidc from 'openid-client';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPage, LockdownResponse } from '../../shared/account-api.ts';
import { apiWithKey, browserAt, createApiKey } from '../helpers/activity.ts';
import { discoverExtension } from '../helpers/clients.ts';
import { extensionCall, extensionSignIn } from '../helpers/extension-api.ts';
import { portalSignIn } from '../helpers/security.ts';
import { useTestIdp } from '../helpers/use-test-idp.ts';

const REDIRECT = 'https://extension.example/cb';
const password = 'correct horse battery staple';
const idp = useTestIdp({ env: { IDP_EXTENSION_REDIRECT_URIS: REDIRECT, IDP_TRUST_PROXY: 'true' } });
let extension: oidc.Configuration;

beforeAll(async () => {
  extension = await discoverExtension(idp);
});

describe('activity and lockdown from the extension', () => {
  it('reads the activity, and locks the account down with one call', async () => {
    const email = 'extension-activity@example.com';
    const account = await idp.createAccount(email, password);
    const browser = browserAt('198.51.100.120');
    const session = await extensionSignIn(idp, extension, REDIRECT, browser, email, password);
    const other = browserAt('203.0.113.121');
    await portalSignIn(idp, other, email, password);
    const key = await createApiKey(idp, account.id);

    const res = await extensionCall(idp, session, 'GET', '/activity?limit=5');
    expect(res.status).toBe(200);
    const page = (await res.json()) as ActivityPage;
    expect(page.entries.length).toBeGreaterThan(0);
    expect(page.entries.some((e) => e.kind === 'signin.succeeded' && e.ip === '198.51.100.120')).toBe(true);
    expect((await extensionCall(idp, session, 'GET', '/activity?cursor=x')).status).toBe(400);

    expect((await extensionCall(idp, session, 'POST', '/lockdown', { really: true })).status).toBe(400);
    const locked = await extensionCall(idp, session, 'POST', '/lockdown', {});
    expect(locked.status).toBe(200);
    const result = (await locked.json()) as LockdownResponse;
    expect(result.sessionsEnded).toBeGreaterThanOrEqual(2);
    expect(result.apiKeysRevoked).toBe(1);

    expect((await extensionCall(idp, session, 'GET', '/activity')).status).toBe(401);
    await expect(oidc.refreshTokenGrant(extension, session.refreshToken!, undefined, { DPoP: oidc.getDPoPHandle(extension, session.keys) })).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await apiWithKey(idp, key.secret, '/status')).status).toBe(401);
    expect((await other.request(`${idp.issuer}/my/account`)).status).toBe(302);
    expect(await idp.services.security.lockdown.isLocked(account.id)).toBe(true);
    expect(idp.lastMailTo(email)!.subject).toBe('Your account is secured: choose a new password');
  });
});
