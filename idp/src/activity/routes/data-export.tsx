/**
 * /my/security/export: "Download my data". GET explains what the file holds; POST (after a recent
 * sign-in, limited per account) answers the JSON file as a download. It never holds a secret.
 */
import { buttonForm } from '../../fields.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { msg } from '../../i18n/translator.ts';
import { Layout, PostForm, renderPage } from '../../ui/render.tsx';

export const showDataExport = defineRoute('GET /my/security/export', { guards: [signedIn] }, async (ctx) => {
  const { account } = portalOf(ctx);
  const { t } = ctx.state;
  html(ctx, renderPage(
    <Layout t={t} title={t('Download my data')} user={account} active="security">
      <h1>{t('Download my data')}</h1>
      <p>{t('A JSON file with your account details, your databases and sign-in logins, signed-in and remembered devices, connected databases and apps, two-factor status, API keys (names, scope, dates; never a secret) and your security activity of the last 90 days.')}</p>
      <PostForm action="/my/security/export" csrf={ctx.state.csrfToken}>
        <div class="actions">
          <button type="submit">{t('Download my data')}</button>
          <a href="/my/security">{t('Cancel')}</a>
        </div>
      </PostForm>
    </Layout>,
  ));
});

export const downloadDataExport = defineRoute('POST /my/security/export', { guards: [signedIn, recentAuth(msg('download a copy of your data'))], input: { body: buttonForm } }, async (ctx) => {
  const { account, session } = portalOf(ctx);
  const data = await ctx.state.services.dataExport.exportFor(account, { sessionUid: session.uid, ip: ctx.ip });
  ctx.set('Content-Disposition', `attachment; filename="latchkey-data-${data.exportedAt.slice(0, 10)}.json"`);
  ctx.type = 'application/json';
  ctx.body = `${JSON.stringify(data, null, 2)}\n`;
});
