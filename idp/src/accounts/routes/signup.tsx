/**
 * /signup: create an account. The answer is the same whether or not the email is already taken (no
 * account enumeration): a new address gets a confirmation link, a taken one gets a notice telling its
 * owner that someone tried, and both see "check your inbox".
 */
import { z } from 'zod';
import { emailField, nameField } from '../../fields.ts';
import { languageSwitch, signedOutPage } from '../../http/language.ts';
import { defineRoute } from '../../http/route.ts';
import { html } from '../../http/security-headers.ts';
import { msg, type Translate } from '../../i18n/translator.ts';
import { Field, formError, Layout, Notice, renderPage, type LanguageSwitch } from '../../ui/render.tsx';
import { FormPage, NewPasswordField } from '../../ui/form-page.tsx';

const schema = z.object({
  name: nameField,
  email: emailField,
  password: z.string({ error: msg('Choose a password.') }).min(1, msg('Choose a password.')).max(1024, msg('That password is too long.')),
});

function signupView(p: { t: Translate; switcher?: LanguageSwitch; csrf: string; values?: { name?: string; email?: string }; fields?: Record<string, string>; error?: string }): string {
  const { t } = p;
  return renderPage(
    <FormPage t={t} switcher={p.switcher} title={t('Create an account')} error={p.error} action="/signup" csrf={p.csrf}
      after={<p>{t('Already have an account?')} <a href="/my/login">{t('Sign in')}</a></p>}>
      <Field name="name" label={t('Name')} autocomplete="name" value={p.values?.name} error={p.fields?.name} />
      <Field name="email" label={t('Email')} type="email" autocomplete="email" value={p.values?.email} error={p.fields?.email} />
      <NewPasswordField t={t} label={t('Password')} error={p.fields?.password} />
      <button type="submit">{t('Create account')}</button>
    </FormPage>,
  );
}

function checkInboxView(t: Translate, switcher: LanguageSwitch | undefined, email: string): string {
  return renderPage(
    <Layout t={t} switcher={switcher} title={t('Check your inbox')}>
      <h1>{t('Check your inbox')}</h1>
      <Notice kind="success">{t('We sent a message to {{email}}. Open the link in it to confirm your address, then sign in.', { email })}</Notice>
      <p><a class="button" href="/my/login">{t('Sign in')}</a></p>
    </Layout>,
  );
}

export const showSignup = defineRoute('GET /signup', async (ctx) => {
  html(ctx, signupView(signedOutPage(ctx)));
});

export const submitSignup = defineRoute('POST /signup', {
  input: { body: schema },
  rerender: (ctx, error) => {
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const values = {
      name: typeof body.name === 'string' ? body.name.slice(0, 120) : undefined,
      email: typeof body.email === 'string' ? body.email.slice(0, 254) : undefined,
    };
    // A message about one field sits beside it; any other (the whole form, the rate limit) goes on top.
    html(ctx, signupView({ ...signedOutPage(ctx), values, ...formError(error, ['name', 'email', 'password']) }));
  },
}, async (ctx, { body }) => {
  await ctx.state.services.accounts.signUpWithoutEnumeration({ ...body, locale: ctx.state.t.locale }, ctx.ip);
  html(ctx, checkInboxView(ctx.state.t, languageSwitch(ctx), body.email));
});
