/**
 * /my/security/api-keys: developer mode and API keys in the portal. Adding, rotating and revoking a key
 * and turning developer mode off need a sign-in within the last 10 minutes (`withRecentAuth`); a secret
 * is shown once, in the answer to that POST, on a no-store page whose CSP allows only our own
 * copy-button script.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AppError, isAppError } from '../../errors.ts';
import type { AppContext } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { CSP, noStore } from '../../http/security-headers.ts';
import { parseBody, parseInput } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { withRecentAuth } from '../../portal/reauth.tsx';
import { CsrfField, Layout, Notice, renderPage } from '../../ui/render.tsx';
import { createKeyForm, keyIdField, rotateKeyForm } from '../schemas.ts';
import type { RotationGrace } from '../types.ts';
import { API_KEYS_PATH, CreateKeyForm, KeyList, SecretOnce } from './views.tsx';

const script = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../static/api-key-copy.js'));
/** The page that shows a secret may run our one same-origin script (the copy button), nothing else. */
const CSP_WITH_COPY = `${CSP}; script-src 'self'`;

interface PageState {
  status?: number;
  notice?: { kind: 'success' | 'error' | 'info'; text: string };
  secret?: { value: string; what: string };
  values?: Record<string, unknown>;
  fields?: Record<string, string>;
}

async function renderKeysPage(ctx: AppContext, state: PageState = {}): Promise<void> {
  const { account } = ctx.state.portal!;
  const { apiKeys } = ctx.state.services;
  const enabled = await apiKeys.isDeveloperMode(account.id);
  const keys = enabled ? await apiKeys.listLive(account.id) : [];
  const databases = await apiKeys.databaseChoices(account.id);
  html(ctx, renderPage(
    <Layout title="API keys" user={account} active="security">
      <p><a href="/my/security">← Connection &amp; Security</a></p>
      <h1>Developer mode and API keys</h1>
      {state.notice && <Notice kind={state.notice.kind}>{state.notice.text}</Notice>}
      {state.secret && <SecretOnce secret={state.secret.value} what={state.secret.what} />}
      {!enabled ? (
        <section aria-labelledby="developer-mode">
          <h2 id="developer-mode">Developer mode is off</h2>
          <p>Developer mode lets you add API keys: secrets that scripts send to your databases (and to this account's API) instead of signing in.</p>
          <form method="post" action={`${API_KEYS_PATH}/developer-mode`}>
            <CsrfField token={ctx.state.csrfToken} />
            <input type="hidden" name="enabled" value="on" />
            <button type="submit">Turn on developer mode</button>
          </form>
        </section>
      ) : (
        <>
          <KeyList keys={keys} csrfToken={ctx.state.csrfToken} databaseNames={new Map(databases.map((d) => [d.id, d.name]))} />
          <CreateKeyForm csrfToken={ctx.state.csrfToken} databases={databases} values={state.values} fields={state.fields} liveCount={keys.length} />
          <section aria-labelledby="developer-mode">
            <h2 id="developer-mode">Developer mode is on</h2>
            <p><a href={`${API_KEYS_PATH}/developer-mode/off`}>Turn off developer mode</a> (this revokes every API key).</p>
          </section>
        </>
      )}
    </Layout>,
  ), state.status ?? 200);
  if (state.secret) ctx.set('Content-Security-Policy', CSP_WITH_COPY);
}

/** Field errors go back to the form with what was typed; other errors go to the error page. */
async function orFormError(ctx: AppContext, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!isAppError(error) || !['invalid_input', 'conflict', 'forbidden', 'not_found'].includes(error.code)) throw error;
    const values = { ...(ctx.request.body as Record<string, unknown>) };
    delete values._csrf;
    await renderKeysPage(ctx, { status: error.status, notice: { kind: 'error', text: error.message }, values, fields: error.fields });
  }
}

const keyParams = z.object({ id: keyIdField });

export function register(router: AppRouter, deps: RouteDeps): void {
  router.get('/static/api-key-copy.js', async function apiKeyCopyScript(ctx) {
    ctx.type = 'text/javascript';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = script;
  });

  router.get(API_KEYS_PATH, noStore, requireAccount(deps), async function showApiKeys(ctx) {
    await renderKeysPage(ctx, ctx.query.done === 'revoked' ? { notice: { kind: 'success', text: 'The API key was revoked.' } } : {});
  });

  router.post(`${API_KEYS_PATH}/new`, noStore, requireAccount(deps), async function createApiKey(ctx) {
    const { account } = ctx.state.portal!;
    await orFormError(ctx, async () => {
      const input = parseBody(ctx, createKeyForm);
      await withRecentAuth(ctx, 'add an API key', async () => {
        await orFormError(ctx, async () => {
          const { key, secret } = await ctx.state.services.apiKeys.create(account.id, input, { actor: account.id, ip: ctx.ip });
          await renderKeysPage(ctx, { status: 201, secret: { value: secret, what: `Your new API key "${key.description}"` } });
        });
      });
    });
  });

  router.post(`${API_KEYS_PATH}/:id/rotate`, noStore, requireAccount(deps), async function rotateApiKey(ctx) {
    const { account } = ctx.state.portal!;
    await orFormError(ctx, async () => {
      const { id } = parseInput(keyParams, ctx.params);
      const { grace } = parseBody(ctx, rotateKeyForm);
      await withRecentAuth(ctx, 'rotate an API key', async () => {
        await orFormError(ctx, async () => {
          const { key, secret } = await ctx.state.services.apiKeys.rotate(account.id, id, grace as RotationGrace, { actor: account.id, ip: ctx.ip });
          const what = grace === 0 ? 'the old secret no longer works' : `the old secret keeps working for ${grace === 3600 ? '1 hour' : '24 hours'}`;
          await renderKeysPage(ctx, { secret: { value: secret, what: `New secret for "${key.description}" (${what})` } });
        });
      });
    });
  });

  router.post(`${API_KEYS_PATH}/:id/revoke`, noStore, requireAccount(deps), async function revokeApiKey(ctx) {
    const { account } = ctx.state.portal!;
    await orFormError(ctx, async () => {
      const { id } = parseInput(keyParams, ctx.params);
      await withRecentAuth(ctx, 'revoke an API key', async () => {
        await orFormError(ctx, async () => {
          await ctx.state.services.apiKeys.revoke(account.id, id, { actor: account.id, ip: ctx.ip });
          ctx.status = 303;
          ctx.redirect(`${API_KEYS_PATH}?done=revoked`);
        });
      });
    });
  });

  router.post(`${API_KEYS_PATH}/developer-mode`, noStore, requireAccount(deps), async function enableDeveloperMode(ctx) {
    const { account } = ctx.state.portal!;
    parseBody(ctx, z.object({ enabled: z.literal('on', { error: 'Use the button on the page to turn developer mode on.' }) }));
    await ctx.state.services.apiKeys.enableDeveloperMode(account.id, { actor: account.id, ip: ctx.ip });
    ctx.status = 303;
    ctx.redirect(API_KEYS_PATH);
  });

  router.get(`${API_KEYS_PATH}/developer-mode/off`, noStore, requireAccount(deps), async function confirmDeveloperModeOff(ctx) {
    const { account } = ctx.state.portal!;
    const { apiKeys } = ctx.state.services;
    if (!await apiKeys.isDeveloperMode(account.id)) {
      ctx.redirect(API_KEYS_PATH);
      return;
    }
    const count = (await apiKeys.listLive(account.id)).length;
    html(ctx, renderPage(
      <Layout title="Turn off developer mode" user={account} active="security">
        <h1>Turn off developer mode?</h1>
        <Notice kind="info">
          {count === 0 ? 'You have no API keys.' : `This revokes your ${count} API key(s) at once: every script that uses them stops working.`} You can turn developer mode on again later, but revoked keys cannot be restored.
        </Notice>
        <form method="post" action={`${API_KEYS_PATH}/developer-mode/off`} class="actions">
          <CsrfField token={ctx.state.csrfToken} />
          <input type="hidden" name="confirm" value="yes" />
          <button type="submit" class="danger">{count === 0 ? 'Turn off developer mode' : `Turn off and revoke ${count} key(s)`}</button>
          <a href={API_KEYS_PATH}>Cancel</a>
        </form>
      </Layout>,
    ));
  });

  router.post(`${API_KEYS_PATH}/developer-mode/off`, noStore, requireAccount(deps), async function disableDeveloperMode(ctx) {
    const { account } = ctx.state.portal!;
    const { confirm } = parseBody(ctx, z.object({ confirm: z.string().optional() }));
    if (confirm !== 'yes') throw new AppError('invalid_input', 'Confirm that every API key will be revoked: use the button on the confirmation page.');
    await withRecentAuth(ctx, 'turn off developer mode', async () => {
      const revoked = await ctx.state.services.apiKeys.disableDeveloperMode(account.id, { actor: account.id, ip: ctx.ip });
      await renderKeysPage(ctx, { notice: { kind: 'success', text: `Developer mode is off. ${revoked} API key(s) revoked.` } });
    });
  });
}
