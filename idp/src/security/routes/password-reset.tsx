/**
 * /password/reset?token=…: choose a new password from a mailed link; every session of the account ends.
 * The account's passkeys are listed, ticked for removal (passkeys/routes/password-reset.ts).
 */
import { z } from 'zod';
import { tokenField } from '../../fields.ts';
import { languageSwitch, signedOutPage } from '../../http/language.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { msg, type Translate } from '../../i18n/translator.ts';
import { formError, Layout, Notice, renderPage, type LanguageSwitch } from '../../ui/render.tsx';
import { FormPage, NewPasswordField } from '../../ui/form-page.tsx';
import { ResetPasskeyList } from '../../passkeys/routes/views.tsx';
import type { Passkey } from '../../passkeys/types.ts';
import { passkeyLines, passkeysOfResetToken, removePasskeysField } from '../../passkeys/routes/password-reset.ts';

const querySchema = z.object({ token: tokenField });
const bodySchema = z.object({
  token: tokenField,
  password: z.string({ error: msg('Choose a new password.') }).min(1, msg('Choose a new password.')).max(1024, msg('That password is too long.')),
  remove_passkey: removePasskeysField,
});

function view(p: { t: Translate; switcher?: LanguageSwitch; csrf: string; token: string; error?: string; fields?: Record<string, string>; passkeys: Passkey[]; timeZone?: string }): string {
  const { t } = p;
  return renderPage(
    <FormPage t={t} switcher={p.switcher} title={t('Choose a new password')} error={p.error} action="/password/reset" csrf={p.csrf}>
      <input type="hidden" name="token" value={p.token} />
      <NewPasswordField t={t} label={t('New password')} error={p.fields?.password} />
      <ResetPasskeyList t={t} passkeys={p.passkeys} timeZone={p.timeZone} />
      <button type="submit">{t('Set password')}</button>
    </FormPage>,
  );
}

export const showReset = defineRoute('GET /password/reset', { input: { query: querySchema } }, async (ctx, { query }) => {
  const { t } = ctx.state;
  if (!await ctx.state.services.accounts.isResetTokenLive(query.token)) {
    html(ctx, renderPage(
      <Layout t={t} switcher={languageSwitch(ctx)} title={t('Link expired')}>
        <h1>{t('This link has expired')}</h1>
        <Notice kind="error">{t('This reset link is invalid, was already used, or has expired.')}</Notice>
        <p><a class="button" href="/password/forgot">{t('Ask for a new link')}</a></p>
      </Layout>,
    ), 410);
    return;
  }
  html(ctx, view({ ...signedOutPage(ctx), token: query.token, ...await passkeysOfResetToken(ctx.state.services, query.token) }));
});

export const submitReset = defineRoute('POST /password/reset', {
  input: { body: bodySchema },
  // A refused form (no usable token) or a spent link gets the error page; a refused password, the form again.
  rerender: async (ctx, error, input) => {
    if (!input.body || error.code === 'gone') throw error;
    html(ctx, view({
      ...signedOutPage(ctx), token: input.body.token, ...formError(error, ['password']),
      ...await passkeysOfResetToken(ctx.state.services, input.body.token),
    }));
  },
}, async (ctx, { body }) => {
  // The credential lifecycle ends every session (relying parties are told), forgets trusted devices and
  // removes the ticked passkeys; the page says which passkeys are gone and which are kept.
  const { passkeys: before } = await passkeysOfResetToken(ctx.state.services, body.token);
  const account = await ctx.state.services.accounts.resetPassword(body.token, body.password, { removePasskeys: body.remove_passkey });
  const kept = await ctx.state.services.passkeys.list(account.id);
  const { t } = ctx.state;
  const passkeyReport = passkeyLines(t, before.filter((p) => !kept.some((k) => k.id === p.id)), kept);
  html(ctx, renderPage(
    <Layout t={t} switcher={languageSwitch(ctx)} title={t('Password changed')}>
      <h1>{t('Password changed')}</h1>
      <Notice kind="success">{t('Your password was changed and every device was signed out.')}</Notice>
      {passkeyReport.map((line) => <p key={line}>{line}</p>)}
      <p><a class="button" href="/my/login">{t('Sign in')}</a></p>
    </Layout>,
  ));
});
