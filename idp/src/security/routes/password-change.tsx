/**
 * POST /my/security/password: change the password (current one required); other devices are signed
 * out, and every API key is revoked when the "also revoke my API keys" box is ticked (default off).
 */
import { z } from 'zod';
import { msg } from '../../i18n/translator.ts';
import { defineRoute } from '../../http/route.ts';
import { portalOf, signedIn } from '../../portal/portal-session.ts';
import { recentAuth } from '../../portal/reauth.tsx';
import { renderSecurity } from './security-show.tsx';
import { seeOther } from '../../http/redirect.ts';

const schema = z.object({
  current_password: z.string({ error: msg('Enter your current password.') }).min(1, msg('Enter your current password.')).max(1024, msg('That password is too long.')),
  new_password: z.string({ error: msg('Choose a new password.') }).min(1, msg('Choose a new password.')).max(1024, msg('That password is too long.')),
  revoke_api_keys: z.literal('on', { error: msg('Tick the box to revoke your API keys, or leave it empty.') }).optional(),
});

export const changePassword = defineRoute('POST /my/security/password', { guards: [signedIn, recentAuth(msg('change your password'))], input: { body: schema }, rerender: (ctx, error) => renderSecurity(ctx, { error: error.message, fields: error.fields }) }, async (ctx, { body }) => {
  const { account, session } = portalOf(ctx);
  await ctx.state.services.security.passwords.changePassword(account,
    { current: body.current_password, next: body.new_password, revokeApiKeys: body.revoke_api_keys === 'on' },
    { sessionUid: session.uid, ip: ctx.ip, userAgent: ctx.get('user-agent') });
  seeOther(ctx, `/my/security?done=${body.revoke_api_keys === 'on' ? 'password-keys' : 'password'}#password`);
});
