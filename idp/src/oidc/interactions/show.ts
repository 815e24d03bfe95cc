/** GET /interaction/:uid: the screen the current prompt needs (sign in or consent). */
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { clientNameOf, finishInteraction, grantMissing, interaction, interactionOf, renderLogin } from './details.ts';
import { consentView } from './views.tsx';
import { DATABASE_ACCESS_PROMPT } from '../../databases/oidc-glue.ts';
import { noAccessView } from '../../databases/routes/no-access-interaction.tsx';

export const showInteraction = defineRoute('GET /interaction/:uid', { guards: [interaction] }, async (ctx) => {
  const { provider, details } = interactionOf(ctx);
  const client = await clientNameOf(provider, details.params.client_id);
  if (details.prompt.name === 'login') {
    const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint.slice(0, 254) : undefined;
    html(ctx, await renderLogin(ctx, provider, details, { email: hint }));
    return;
  }
  if (details.prompt.name === 'consent') {
    // First-party applications (the portal, the extension, registered databases) never ask for consent.
    if (client.firstParty) {
      const grantId = await grantMissing(provider, details);
      await finishInteraction(ctx, provider, { consent: grantId ? { grantId } : {} }, true);
      return;
    }
    const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
    html(ctx, consentView({ t: ctx.state.t, uid: details.uid, csrf: ctx.state.csrfToken, clientName: client.name, scopes }));
    return;
  }
  if (details.prompt.name === DATABASE_ACCESS_PROMPT) {
    const email = details.session?.accountId ? (await ctx.state.services.accounts.findById(details.session.accountId))?.email : undefined;
    html(ctx, noAccessView({ t: ctx.state.t, uid: details.uid, csrf: ctx.state.csrfToken, databaseName: client.name, email }), 403);
    return;
  }
  await finishInteraction(ctx, provider, { error: 'invalid_request', error_description: `unsupported prompt ${details.prompt.name}` }, false);
});
