/**
 * The passkey parts of other pages: the Passkeys section of Connection & Security, the passkey button of
 * the sign-in page and of the re-authentication page, the list on the password reset form. Every control
 * that needs WebAuthn is rendered `hidden`; /static/passkeys.js shows it when the browser can use it.
 */
import type { ComponentChildren, VNode } from 'preact';
import type { AppContext } from '../../http/context.ts';
import { msg, type PlainKey, type Translate } from '../../i18n/translator.ts';
import { formatTime } from '../../i18n/dates.ts';
import { ButtonForm, CsrfField, Field } from '../../ui/render.tsx';
import { MAX_PASSKEYS, type Passkey } from '../types.ts';

export const PASSKEYS_PATH = '/my/security/passkeys';
export const PASSKEY_SCRIPT = '/static/passkeys.js';

export const passkeyDoneMessages: Record<string, PlainKey> = {
  'passkey-added': msg('Your passkey was added. You can now sign in with it instead of your password.'),
  'passkey-renamed': msg('The passkey was renamed.'),
  'passkey-deleted': msg('The passkey was deleted. It can no longer sign in to your account.'),
};

/** A passkey's time: in the account's time zone when the page knows it, else UTC; "never" for none. */
const when = (t: Translate, seconds: number | null, timeZone?: string) => (seconds === null ? t('never') : formatTime(t, seconds, timeZone));

/** The script tag; the page's CSP must allow our own scripts (see `usesPasskeyScript`). */
export function PasskeyScript(): VNode {
  return <script src={PASSKEY_SCRIPT} defer />;
}

/** Marks the page being rendered as one that loads /static/passkeys.js (CSP script-src 'self'). */
export function usesPasskeyScript(ctx: AppContext): void {
  ctx.state.ownScripts = true;
}

/**
 * Where /static/passkeys.js writes what went wrong; it cannot translate, so the sentences it may need
 * come with the slot, in the page's language (the script keeps the English ones for a page without them).
 */
function ErrorSlot({ t }: { t: Translate }): VNode {
  return (
    <p class="field-error" data-passkey-error hidden role="alert"
      data-cancelled={t('The passkey request was cancelled or timed out. Try again.')}
      data-duplicate={t('This device already has a passkey for your account.')}
      data-unusable={t('Your browser could not use a passkey. Try again.')}
      data-failed={t('The passkey request failed. Reload the page and try again.')} />
  );
}

/**
 * A form the passkey script (/static/passkeys.js) completes: `data-passkey-<kind>` says what it asks the
 * browser for, `answer` names the field it fills with the passkey's answer before posting.
 */
function PasskeyForm(p: { t: Translate; kind: 'register' | 'signin' | 'reauth'; action: string; options: string; csrf: string; answer: string; button: string; secondary?: boolean; children?: ComponentChildren }): VNode {
  const marker = { [`data-passkey-${p.kind}`]: true };
  return (
    <form method="post" action={p.action} {...marker} data-options={p.options} hidden>
      <CsrfField token={p.csrf} />
      {p.children}
      <input type="hidden" name={p.answer} value="" />
      <ErrorSlot t={p.t} />
      <button type="submit" class={p.secondary ? 'secondary' : undefined}>{p.button}</button>
    </form>
  );
}

/** The add form: a name, then the browser's passkey prompt (the script fills `response`). */
export function PasskeyAddForm({ t, csrf, name, full }: { t: Translate; csrf: string; name?: string; full: boolean }): VNode {
  if (full) return <p>{t('You have {{max}} passkeys, the most an account can have. Delete one to add another.', { max: MAX_PASSKEYS })}</p>;
  return (
    <PasskeyForm t={t} kind="register" action={PASSKEYS_PATH} options={`${PASSKEYS_PATH}/options`} csrf={csrf} answer="response" button={t('Add a passkey')}>
      <Field name="name" label={t('Name of the new passkey')} value={name} required={false} maxLength={60}
        hint={t('For example the device or password manager that keeps it.')} />
    </PasskeyForm>
  );
}

/** `renameError`: a refused new name, shown beside (and announced by) that passkey's name field. */
export function PasskeySection({ t, timeZone, csrf, passkeys, renameError }: { t: Translate; timeZone: string; csrf: string; passkeys: Passkey[]; renameError?: { id: string; message: string } }): VNode {
  return (
    <section aria-labelledby="passkeys">
      <h2 id="passkeys">{t('Passkeys')}</h2>
      <p>{t('A passkey signs you in with your fingerprint, face or screen lock instead of your password, here and on every database linked to your account. It cannot be phished: it works only on this site.')}</p>
      {passkeys.length === 0 ? <p id="passkey-count">{t('You have no passkey yet.')}</p> : (
        <table>
          <thead><tr><th>{t('Name')}</th><th>{t('Kind')}</th><th>{t('Added')}</th><th>{t('Last used')}</th><th></th></tr></thead>
          <tbody>
            {passkeys.map((p) => {
              const error = renameError?.id === p.id ? renameError.message : undefined;
              return (
              <tr key={p.id} class="passkey" data-passkey-id={p.id}>
                <td>
                  <form method="post" action={`${PASSKEYS_PATH}/${encodeURIComponent(p.id)}/rename`} class="actions">
                    <CsrfField token={csrf} />
                    <label class="visually-hidden" for={`rename-${p.id}`}>{t('Name')}</label>
                    <input id={`rename-${p.id}`} name="name" value={p.name} maxLength={60} required
                      aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `rename-${p.id}-error` : undefined} />
                    <button type="submit" class="secondary">{t('Rename')}</button>
                    {error && <p class="field-error" id={`rename-${p.id}-error`}>{error}</p>}
                  </form>
                </td>
                <td>{p.backupEligible ? t('Synced') : t('This device only')}</td>
                <td>{when(t, p.createdAt, timeZone)}</td>
                <td>{when(t, p.lastUsedAt, timeZone)}</td>
                <td>
                  <ButtonForm action={`${PASSKEYS_PATH}/${encodeURIComponent(p.id)}/delete`} csrf={csrf} kind="danger">{t('Delete')}</ButtonForm>
                </td>
              </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <PasskeyAddForm t={t} csrf={csrf} full={passkeys.length >= MAX_PASSKEYS} />
      <noscript><p class="hint">{t('Adding a passkey needs JavaScript and a browser that supports passkeys.')}</p></noscript>
      <PasskeyScript />
    </section>
  );
}

/** "Sign in with a passkey" on the IdP's sign-in page (discoverable: no email needed). */
export function PasskeySignIn({ t, uid, csrf }: { t: Translate; uid: string; csrf: string }): VNode {
  return (
    <>
      <PasskeyForm t={t} kind="signin" action={`/interaction/${uid}/passkey`} options={`/interaction/${uid}/passkey/options`} csrf={csrf} answer="response" button={t('Sign in with a passkey')} secondary />
      <PasskeyScript />
    </>
  );
}

/** "Use a passkey instead" on the re-authentication page: posts the same fields with the passkey's answer. */
export function PasskeyReauth({ t, action, csrf, carried }: { t: Translate; action: string; csrf: string; carried: [string, string][] }): VNode {
  return (
    <>
      <PasskeyForm t={t} kind="reauth" action={action} options={`${PASSKEYS_PATH}/reauth-options`} csrf={csrf} answer="reauth_passkey" button={t('Use a passkey instead')} secondary>
        {carried.map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
      </PasskeyForm>
      <PasskeyScript />
    </>
  );
}

/**
 * The passkeys on the password reset form, each ticked for removal: a reset is account recovery, and a
 * passkey someone else added must not survive it unseen.
 */
export function ResetPasskeyList({ t, passkeys, timeZone }: { t: Translate; passkeys: Passkey[]; timeZone?: string }): VNode | null {
  if (passkeys.length === 0) return null;
  return (
    <fieldset id="reset-passkeys">
      <legend>{t('Passkeys of this account')}</legend>
      <p class="hint">{t('Ticked passkeys are removed with the reset. Keep only the ones you recognise.')}</p>
      {passkeys.map((p) => (
        <div key={p.id}>
          <label>
            <input type="checkbox" name="remove_passkey" value={p.id} checked />
            {' '}{t('Remove "{{name}}" (added {{added}}, last used {{used}})', { name: p.name, added: when(t, p.createdAt, timeZone), used: when(t, p.lastUsedAt, timeZone) })}
          </label>
        </div>
      ))}
    </fieldset>
  );
}
