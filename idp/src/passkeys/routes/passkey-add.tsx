/**
 * POST /my/security/passkeys: adds a passkey (recent sign-in required). Without an answer yet (the
 * browser had to confirm it is you first) it shows the add form again; with one it verifies and stores
 * the passkey, mails the owner and returns to Connection & Security.
 */
import type { z } from 'zod';
import { isAppError } from '../../errors.ts';
import type { AppContext } from '../../http/context.ts';
import type { AppRouter, RouteDeps } from '../../http/router.ts';
import { html } from '../../http/router.ts';
import { noStore } from '../../http/security-headers.ts';
import { parseBody } from '../../http/validate.ts';
import { requireAccount } from '../../portal/portal-session.ts';
import { withRecentAuth } from '../../portal/reauth.tsx';
import { renderSecurity } from '../../security/routes/security-show.tsx';
import { deviceLabel } from '../../security/user-agent.ts';
import { Layout, renderPage } from '../../ui/render.tsx';
import { MAX_PASSKEYS } from '../types.ts';
import { addInput } from './schemas.ts';
import { PasskeyAddForm, PasskeyScript, PASSKEYS_PATH, usesPasskeyScript } from './views.tsx';

export const input = addInput;

export async function handler(ctx: AppContext, values: z.infer<typeof input>): Promise<void> {
  const { account, session } = ctx.state.portal!;
  const { passkeys } = ctx.state.services;
  if (values.response === undefined || values.response === '') {
    usesPasskeyScript(ctx);
    const full = (await passkeys.count(account.id)) >= MAX_PASSKEYS;
    html(ctx, renderPage(
      <Layout title="Add a passkey" user={account} active="security">
        <p><a href="/my/security#passkeys">← Connection &amp; Security</a></p>
        <h1>Add a passkey</h1>
        <p>Your browser or password manager will ask you to create the passkey and to confirm it is you.</p>
        <PasskeyAddForm csrf={ctx.state.csrfToken} name={values.name} full={full} />
        <noscript><p>Adding a passkey needs JavaScript and a browser that supports passkeys.</p></noscript>
        <PasskeyScript />
      </Layout>,
    ));
    return;
  }
  try {
    await passkeys.register(account, session.uid, values.response, values.name, { ip: ctx.ip, device: deviceLabel(ctx.get('user-agent')) });
  } catch (error) {
    if (!isAppError(error) || error.status >= 500) throw error;
    for (const [k, v] of Object.entries(error.headers ?? {})) ctx.set(k, v);
    await renderSecurity(ctx, { error: error.message }, error.status);
    return;
  }
  ctx.status = 303;
  ctx.redirect('/my/security?done=passkey-added#passkeys');
}

export function register(router: AppRouter, deps: RouteDeps): void {
  router.post(PASSKEYS_PATH, noStore, requireAccount(deps), async function addPasskey(ctx) {
    const values = parseBody(ctx, input);
    await withRecentAuth(ctx, 'add a passkey', () => handler(ctx, values));
  });
}
