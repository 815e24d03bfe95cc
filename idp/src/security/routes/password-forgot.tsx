/** /password/forgot: asks for an email and always answers the same, whether or not it has an account. */
import { z } from 'zod';
import { emailField } from '../../fields.ts';
import { signedOutPage } from '../../http/language.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import type { Translate } from '../../i18n/translator.ts';
import { Field, formError, Notice, renderPage, type LanguageSwitch } from '../../ui/render.tsx';
import { FormPage } from '../../ui/form-page.tsx';

const schema = z.object({ email: emailField });

function view(p: { t: Translate; switcher?: LanguageSwitch; csrf: string; error?: string; fields?: Record<string, string>; sent?: string }): string {
  const { t } = p;
  return renderPage(
    <FormPage t={t} switcher={p.switcher} title={t('Reset your password')} error={p.error} action="/password/forgot" csrf={p.csrf}
      notice={p.sent && <Notice kind="success">{t('If an account exists for {{email}}, we sent it a link to reset the password. The link works for one hour.', { email: p.sent })}</Notice>}
      after={<p><a href="/my/login">{t('Back to sign in')}</a></p>}>
      <Field name="email" label={t('Email')} type="email" autocomplete="username" error={p.fields?.email} />
      <button type="submit">{t('Send me a reset link')}</button>
    </FormPage>,
  );
}

export const showForgot = defineRoute('GET /password/forgot', async (ctx) => {
  html(ctx, view(signedOutPage(ctx)));
});

export const submitForgot = defineRoute('POST /password/forgot', { input: { body: schema }, rerender: (ctx, error) => html(ctx, view({ ...signedOutPage(ctx), ...formError(error, ['email']) })) }, async (ctx, { body }) => {
  await ctx.state.services.accounts.requestPasswordReset(body.email, ctx.ip);
  html(ctx, view({ ...signedOutPage(ctx), sent: body.email }));
});
