/** The second step of a sign-in with 2FA: a code from the app, or a recovery code. */
import type { Translate } from '../../i18n/translator.ts';
import { Field, type LanguageSwitch, PostForm, renderPage } from '../../ui/render.tsx';
import { InteractionPage } from './interaction-page.tsx';

export function secondFactorView(p: { t: Translate; switcher?: LanguageSwitch; uid: string; csrf: string; clientName: string; error?: string; fields?: Record<string, string> }): string {
  const { t } = p;
  return renderPage(
    <InteractionPage t={t} switcher={p.switcher} title={t('Two-factor authentication')} uid={p.uid} csrf={p.csrf} clientName={p.clientName} error={p.error}>
      <section>
        <PostForm action={`/interaction/${p.uid}/second-factor`} csrf={p.csrf}>
          <Field name="code" label={t('Code from your authenticator app')} autocomplete="one-time-code" inputmode="numeric" maxLength={20} error={p.fields?.code}
            hint={t('Enter the 6-digit code, or one of your recovery codes (like abcde-fghjk).')} />
          <div class="field">
            <label><input type="checkbox" name="remember" value="yes" /> {t('Remember this device for 30 days')}</label>
          </div>
          <button type="submit">{t('Verify')}</button>
        </PostForm>
      </section>
    </InteractionPage>,
  );
}
