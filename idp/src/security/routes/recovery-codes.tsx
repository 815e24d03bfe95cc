/** POST /my/security/2fa/recovery-codes: ten new recovery codes replace the old ones (re-authentication required). */
import { buttonForm } from '../../fields.ts';
import { msg } from '../../i18n/translator.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { recoveryCodesPage } from './views.tsx';

export const regenerateRecoveryCodes = defineRoute('POST /my/security/2fa/recovery-codes', { guards: [signedIn, recentAuth(msg('create new recovery codes'))], input: { body: buttonForm } }, async (ctx) => {
  const { account } = portalOf(ctx);
  const codes = await ctx.state.services.security.twoFactor.regenerateRecoveryCodes(account);
  html(ctx, recoveryCodesPage({ t: ctx.state.t, account, title: ctx.state.t('New recovery codes'), codes }));
});
