import { t } from '../lib/i18n/translator.ts';

/** Shown when there is no session: explains what signing in does and offers the one button. */
export function SignedOut(props: { issuer: string; hasPermission: boolean; busy: boolean; onSignIn: () => void; onOptions: () => void }) {
  return (
    <div class="signed-out">
      <h2>{t('Sign in to Latchkey')}</h2>
      <p>
        {t("See your account's security status, your databases, devices and API keys.")} {t('You will sign in at')} <code>{props.issuer}</code>.
      </p>
      {!props.hasPermission && <p class="muted">{t('Your browser will first ask to let Latchkey connect to that address.')}</p>}
      <button type="button" class="primary" disabled={props.busy} onClick={props.onSignIn}>
        {props.busy ? t('Signing in…') : t('Sign in')}
      </button>{' '}
      <button type="button" class="link" onClick={props.onOptions}>
        {t('Use another server')}
      </button>
    </div>
  );
}
