/**
 * POST /my/security/passkeys: adds a passkey (recent sign-in required). Without an answer yet (the
 * browser had to confirm it is you first) it shows the add form again; with one it verifies and stores
 * the passkey, mails the owner and returns to Connection & Security. A refused answer is shown on
 * Connection & Security with its reason.
 */
import { msg } from '../../i18n/translator.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { renderSecurity } from '../../security/routes/security-show.tsx';
import { Layout, renderPage } from '../../ui/render.tsx';
import { MAX_PASSKEYS } from '../types.ts';
import { addInput } from './schemas.ts';
import { PasskeyAddForm, PasskeyScript, PASSKEYS_PATH, usesPasskeyScript } from './views.tsx';
import { seeOther } from '../../http/redirect.ts';

export const addPasskey = defineRoute(`POST ${PASSKEYS_PATH}`, {
  guards: [signedIn, recentAuth(msg('add a passkey'))],
  input: { body: addInput },
  rerender: async (ctx, error) => {
    await renderSecurity(ctx, { error: error.message }, error.status);
  },
}, async (ctx, { body }) => {
  const { account, session } = portalOf(ctx);
  const { passkeys } = ctx.state.services;
  if (body.response === undefined || body.response === '') {
    usesPasskeyScript(ctx);
    const full = (await passkeys.count(account.id)) >= MAX_PASSKEYS;
    const { t } = ctx.state;
    html(ctx, renderPage(
      <Layout t={t} title={t('Add a passkey')} user={account} active="security">
        <p><a href="/my/security#passkeys">{`← ${t('Connection & Security')}`}</a></p>
        <h1>{t('Add a passkey')}</h1>
        <p>{t('Your browser or password manager will ask you to create the passkey and to confirm it is you.')}</p>
        <PasskeyAddForm t={t} csrf={ctx.state.csrfToken} name={body.name} full={full} />
        <noscript><p>{t('Adding a passkey needs JavaScript and a browser that supports passkeys.')}</p></noscript>
        <PasskeyScript />
      </Layout>,
    ));
    return;
  }
  await passkeys.register(account, session.uid, body.response, body.name, { ip: ctx.ip, userAgent: ctx.get('user-agent') });
  seeOther(ctx, '/my/security?done=passkey-added#passkeys');
});
