/**
 * /my/security/api-keys: developer mode and API keys in the portal. Adding, rotating and revoking a key
 * and turning developer mode off need a sign-in within the last 10 minutes (`recentAuth`); a secret
 * is shown once, in the answer to that POST, on a no-store page whose CSP allows only our own
 * copy-button script.
 */
import { z } from 'zod';
import type { AppContext } from '../../http/context.ts';
import { buttonForm, doneQuery } from '../../fields.ts';
import { staticAsset } from '../../http/static-asset.ts';
import { defineRoute, type InputSchemas, type Rerender } from '../../http/route.ts';
import { CSP, html } from '../../http/security-headers.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { msg } from '../../i18n/translator.ts';
import { CsrfField, Layout, Notice, PostForm, renderPage, Rich } from '../../ui/render.tsx';
import { createKeyForm, keyIdField, rotateKeyForm } from '../schemas.ts';
import type { RotationGrace } from '../types.ts';
import { API_KEYS_PATH, CreateKeyForm, KeyList, SecretOnce } from './views.tsx';
import { seeOther } from '../../http/redirect.ts';

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
  const { account } = portalOf(ctx);
  const { t } = ctx.state;
  const { apiKeys } = ctx.state.services;
  const enabled = await apiKeys.isDeveloperMode(account.id);
  const keys = enabled ? await apiKeys.listLive(account.id) : [];
  const databases = await apiKeys.databaseChoices(account.id);
  html(ctx, renderPage(
    <Layout t={t} title={t('API keys')} user={account} active="security">
      <p><a href="/my/security">← {t('Connection & Security')}</a></p>
      <h1>{t('Developer mode and API keys')}</h1>
      {state.notice && <Notice kind={state.notice.kind}>{state.notice.text}</Notice>}
      {state.secret && <SecretOnce t={t} secret={state.secret.value} what={state.secret.what} />}
      {!enabled ? (
        <section aria-labelledby="developer-mode">
          <h2 id="developer-mode">{t('Developer mode is off')}</h2>
          <p>{t('Developer mode lets you add API keys: secrets that scripts send to your databases (and to this account\'s API) instead of signing in.')}</p>
          <PostForm action={`${API_KEYS_PATH}/developer-mode`} csrf={ctx.state.csrfToken}>
            <input type="hidden" name="enabled" value="on" />
            <button type="submit">{t('Turn on developer mode')}</button>
          </PostForm>
        </section>
      ) : (
        <>
          <KeyList t={t} keys={keys} csrfToken={ctx.state.csrfToken} databaseNames={new Map(databases.map((d) => [d.id, d.name]))} timeZone={account.timezone} />
          <CreateKeyForm t={t} csrfToken={ctx.state.csrfToken} databases={databases} values={state.values} fields={state.fields} liveCount={keys.length} />
          <section aria-labelledby="developer-mode">
            <h2 id="developer-mode">{t('Developer mode is on')}</h2>
            <p><Rich t={t} key_="{{turnOff}} (this revokes every API key)." parts={{ turnOff: <a href={`${API_KEYS_PATH}/developer-mode/off`}>{t('Turn off developer mode')}</a> }} /></p>
          </section>
        </>
      )}
    </Layout>,
  ), state.status ?? 200);
  if (state.secret) ctx.set('Content-Security-Policy', CSP_WITH_COPY);
}

/** Field errors go back to the form with what was typed; other errors go to the error page. */
const formError: Rerender<InputSchemas> = async (ctx, error) => {
  if (!['invalid_input', 'conflict', 'forbidden', 'not_found'].includes(error.code)) throw error;
  const values = { ...(ctx.request.body as Record<string, unknown>) };
  delete values._csrf;
  await renderKeysPage(ctx, { status: error.status, notice: { kind: 'error', text: error.message }, values, fields: error.fields });
};

const keyParams = z.object({ id: keyIdField });

export const apiKeyCopyScript = staticAsset('api-key-copy.js', 'text/javascript');

export const showApiKeys = defineRoute(`GET ${API_KEYS_PATH}`, { guards: [signedIn], input: { query: doneQuery } }, async (ctx, { query }) => {
  await renderKeysPage(ctx, query.done === 'revoked' ? { notice: { kind: 'success', text: ctx.state.t('The API key was revoked.') } } : {});
});

export const createApiKey = defineRoute(`POST ${API_KEYS_PATH}/new`, { guards: [signedIn, recentAuth(msg('add an API key'))], input: { body: createKeyForm }, rerender: formError }, async (ctx, { body }) => {
  const { account } = portalOf(ctx);
  const { key, secret } = await ctx.state.services.apiKeys.create(account.id, body, { actor: account.id, ip: ctx.ip });
  await renderKeysPage(ctx, { status: 201, secret: { value: secret, what: ctx.state.t('Your new API key "{{description}}"', { description: key.description }) } });
});

export const rotateApiKey = defineRoute(`POST ${API_KEYS_PATH}/:id/rotate`, { guards: [signedIn, recentAuth(msg('rotate an API key'))], input: { params: keyParams, body: rotateKeyForm }, rerender: formError }, async (ctx, { params, body }) => {
  const { account } = portalOf(ctx);
  const { grace } = body;
  const { key, secret } = await ctx.state.services.apiKeys.rotate(account.id, params.id, grace as RotationGrace, { actor: account.id, ip: ctx.ip });
  const { t } = ctx.state;
  const description = key.description;
  const what = grace === 0 ? t('New secret for "{{description}}" (the old secret no longer works)', { description })
    : grace === 3600 ? t('New secret for "{{description}}" (the old secret keeps working for 1 hour)', { description })
      : t('New secret for "{{description}}" (the old secret keeps working for 24 hours)', { description });
  await renderKeysPage(ctx, { secret: { value: secret, what } });
});

export const revokeApiKey = defineRoute(`POST ${API_KEYS_PATH}/:id/revoke`, { guards: [signedIn, recentAuth(msg('revoke an API key'))], input: { params: keyParams, body: buttonForm }, rerender: formError }, async (ctx, { params }) => {
  const { account } = portalOf(ctx);
  await ctx.state.services.apiKeys.revoke(account.id, params.id, { actor: account.id, ip: ctx.ip });
  seeOther(ctx, `${API_KEYS_PATH}?done=revoked`);
});

export const enableDeveloperMode = defineRoute(`POST ${API_KEYS_PATH}/developer-mode`, { guards: [signedIn], input: { body: z.object({ enabled: z.literal('on', { error: msg('Use the button on the page to turn developer mode on.') }) }) } }, async (ctx) => {
  const { account } = portalOf(ctx);
  await ctx.state.services.apiKeys.enableDeveloperMode(account.id, { actor: account.id, ip: ctx.ip });
  seeOther(ctx, API_KEYS_PATH);
});

export const confirmDeveloperModeOff = defineRoute(`GET ${API_KEYS_PATH}/developer-mode/off`, { guards: [signedIn] }, async (ctx) => {
  const { account } = portalOf(ctx);
  const { apiKeys } = ctx.state.services;
  if (!await apiKeys.isDeveloperMode(account.id)) {
    ctx.redirect(API_KEYS_PATH);
    return;
  }
  const count = (await apiKeys.listLive(account.id)).length;
  const { t } = ctx.state;
  html(ctx, renderPage(
    <Layout t={t} title={t('Turn off developer mode')} user={account} active="security">
      <h1>{t('Turn off developer mode?')}</h1>
      <Notice kind="info">
        {count === 0 ? t('You have no API keys.') : t('This revokes your {{count}} API key(s) at once: every script that uses them stops working.', { count })} {t('You can turn developer mode on again later, but revoked keys cannot be restored.')}
      </Notice>
      <form method="post" action={`${API_KEYS_PATH}/developer-mode/off`} class="actions">
        <CsrfField token={ctx.state.csrfToken} />
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="danger">{count === 0 ? t('Turn off developer mode') : t('Turn off and revoke {{count}} key(s)', { count })}</button>
        <a href={API_KEYS_PATH}>{t('Cancel')}</a>
      </form>
    </Layout>,
  ));
});

const confirmRevokeAll = msg('Confirm that every API key will be revoked: use the button on the confirmation page.');

export const disableDeveloperMode = defineRoute(`POST ${API_KEYS_PATH}/developer-mode/off`, { guards: [signedIn, recentAuth(msg('turn off developer mode'))], input: { body: z.object({ confirm: z.literal('yes', { error: confirmRevokeAll }) }) } }, async (ctx) => {
  const { account } = portalOf(ctx);
  const revoked = await ctx.state.services.apiKeys.disableDeveloperMode(account.id, { actor: account.id, ip: ctx.ip });
  await renderKeysPage(ctx, { notice: { kind: 'success', text: ctx.state.t('Developer mode is off. {{count}} API key(s) revoked.', { count: revoked }) } });
});
