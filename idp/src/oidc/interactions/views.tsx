/** The sign-in, sign-up and consent screens of an authorization request. */
import type { Translate } from '../../i18n/translator.ts';
import { msg, type PlainKey } from '../../i18n/translator.ts';
import { ButtonForm, Field, type LanguageSwitch, Layout, PostForm, renderPage } from '../../ui/render.tsx';
import { PasskeySignIn } from '../../passkeys/routes/views.tsx';
import { InteractionPage } from './interaction-page.tsx';

export interface LoginViewProps {
  t: Translate;
  switcher?: LanguageSwitch;
  uid: string;
  csrf: string;
  clientName: string;
  email?: string;
  /** Already translated (an AppError reaches views in the request's language, see error-handler.tsx). */
  error?: string;
  /** Messages about one field (a malformed email), shown beside it; the page-level error stays on top. */
  fields?: Record<string, string>;
  notice?: string;
  /** Signing in to a database: the identifier is the membership's sign-in login. */
  forDatabase?: boolean;
}

export function loginView(p: LoginViewProps): string {
  const { t } = p;
  return renderPage(
    <InteractionPage t={t} switcher={p.switcher} title={t('Sign in')} uid={p.uid} csrf={p.csrf} clientName={p.clientName} notice={p.notice} error={p.error}>
      <section>
        <PostForm action={`/interaction/${p.uid}/login`} csrf={p.csrf}>
          {p.forDatabase ? (
            <Field name="email" label={t('Sign-in login')} type="email" autocomplete="username webauthn" value={p.email} error={p.fields?.email}
              hint={t('The email address you sign in to {{client}} with (it may differ from your account email).', { client: p.clientName })} />
          ) : (
            <Field name="email" label={t('Email')} type="email" autocomplete="username webauthn" value={p.email} error={p.fields?.email} />
          )}
          <Field name="password" label={t('Password')} type="password" autocomplete="current-password" error={p.fields?.password}
            hint={p.forDatabase ? t('Your account password (or a database-specific one, on the database itself).') : undefined} />
          <div class="actions">
            <button type="submit">{t('Sign in')}</button>
            <a href="/password/forgot">{t('Forgot your password?')}</a>
          </div>
        </PostForm>
        <PasskeySignIn t={t} uid={p.uid} csrf={p.csrf} />
      </section>
      <p>
        {t('No account yet?')} <a href="/signup">{t('Create an account')}</a>
      </p>
    </InteractionPage>,
  );
}

export interface ConsentViewProps {
  t: Translate;
  uid: string;
  csrf: string;
  clientName: string;
  scopes: string[];
}

const scopeText: Record<string, PlainKey> = {
  openid: msg('Know who you are'),
  email: msg('See your email address'),
  profile: msg('See your name, language and time zone'),
  offline_access: msg('Stay connected when you are not using it'),
  account: msg('Read and manage your account security'),
};

export function consentView(p: ConsentViewProps): string {
  const { t } = p;
  return renderPage(
    <Layout t={t} title={t('Allow access')}>
      <h1>{t('Allow {{client}}?', { client: p.clientName })}</h1>
      <section>
        <p>{t('{{client}} asks to:', { client: p.clientName })}</p>
        <ul>{p.scopes.map((s) => <li key={s}>{scopeText[s] ? t(scopeText[s]) : s}</li>)}</ul>
        <div class="actions">
          <PostForm action={`/interaction/${p.uid}/confirm`} csrf={p.csrf}>
            <button type="submit" autofocus>{t('Allow')}</button>
          </PostForm>
          <ButtonForm action={`/interaction/${p.uid}/abort`} csrf={p.csrf} kind="secondary">{t('Deny')}</ButtonForm>
        </div>
      </section>
    </Layout>,
  );
}
