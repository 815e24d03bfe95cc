/** The second step of a sign-in with 2FA: a code from the app, or a recovery code. */
import type { Translate } from '../../i18n/translator.ts';
import { CsrfField, Field, Layout, Notice, renderPage, type LanguageSwitch } from '../../ui/render.tsx';

export function secondFactorView(p: { t: Translate; switcher?: LanguageSwitch; uid: string; csrf: string; clientName: string; error?: string; fields?: Record<string, string> }): string {
  const { t } = p;
  return renderPage(
    <Layout t={t} switcher={p.switcher} title={t('Two-factor authentication')}>
      <h1>{t('Two-factor authentication')}</h1>
      <p class="muted">{t('to continue to {{client}}', { client: p.clientName })}</p>
      {p.error && <Notice kind="error">{p.error}</Notice>}
      <section>
        <form method="post" action={`/interaction/${p.uid}/second-factor`}>
          <CsrfField token={p.csrf} />
          <Field name="code" label={t('Code from your authenticator app')} autocomplete="one-time-code" inputmode="numeric" maxLength={20} error={p.fields?.code}
            hint={t('Enter the 6-digit code, or one of your recovery codes (like abcde-fghjk).')} />
          <div class="field">
            <label><input type="checkbox" name="remember" value="yes" /> {t('Remember this device for 30 days')}</label>
          </div>
          <button type="submit">{t('Verify')}</button>
        </form>
      </section>
      <form method="post" action={`/interaction/${p.uid}/abort`}>
        <CsrfField token={p.csrf} />
        <button type="submit" class="secondary">{t('Cancel')}</button>
      </form>
    </Layout>,
  );
}
