/** Account Information: details form and the email change form. */
import type { Account } from '../types.ts';
import { LANGUAGES } from '../profile-service.ts';
import { msg, type PlainKey, type Translate } from '../../i18n/translator.ts';
import { ButtonForm, Field, Layout, Notice, PostForm, renderPage, Select } from '../../ui/render.tsx';

const done: Record<string, PlainKey> = {
  details: msg('Your details were saved.'),
  'email-sent': msg('We sent a confirmation link to your new address. Your email changes when you open it.'),
  'email-changed': msg('Your email address was changed.'),
  'confirmation-sent': msg('We sent a new confirmation link. Open it in this browser, signed in to this account.'),
};

let zones: string[] | undefined;

export function accountPage(p: { t: Translate; account: Account; csrf: string; done?: string; error?: string; fields?: Record<string, string>; values?: Record<string, string> }): string {
  const { t } = p;
  const a = p.account;
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  const v = { name: a.name, locale: a.locale, timezone: a.timezone, ...p.values };
  const notice = p.done ? done[p.done] : undefined;
  return renderPage(
    <Layout t={t} title={t('Account Information')} user={a} active="account">
      <h1>{t('Account Information')}</h1>
      {notice && <Notice kind="success">{t(notice)}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {!a.emailVerifiedAt && (
        <Notice kind="info">
          <p>{t('Confirm your email address first: we sent a link to {{email}}, or resend it. Until then this account can only confirm its address, change it, or be deleted.', { email: a.email })}</p>
          <ButtonForm action="/my/account/email/resend" csrf={p.csrf}>{t('Resend the confirmation link')}</ButtonForm>
          <p><a href="/my/security/delete">{t('Delete this account')}</a></p>
        </Notice>
      )}
      <section aria-labelledby="details">
        <h2 id="details">{t('Your details')}</h2>
        <PostForm action="/my/account/details" csrf={p.csrf}>
          <Field name="name" label={t('Name')} autocomplete="name" value={v.name} error={p.fields?.name} maxLength={120} />
          {/* Each language by its own name (LANGUAGES), as language menus do. */}
          <Select name="locale" label={t('Language')} options={Object.entries(LANGUAGES)} value={v.locale} error={p.fields?.locale} />
          <Select name="timezone" label={t('Time zone')} options={zones} value={v.timezone} error={p.fields?.timezone} />
          <button type="submit">{t('Save')}</button>
        </PostForm>
      </section>
      <section aria-labelledby="email">
        <h2 id="email">{t('Email address')}</h2>
        <p>{a.email} {a.emailVerifiedAt ? t('(confirmed)') : t('(not confirmed)')}</p>
        <PostForm action="/my/account/email" csrf={p.csrf}>
          <Field name="email" label={t('New email address')} type="email" autocomplete="email" value={p.values?.email} error={p.fields?.email} />
          <button type="submit">{t('Change email')}</button>
        </PostForm>
        <p class="hint">{t('Changing your account email never changes the login you use to sign in to a database.')}</p>
      </section>
    </Layout>,
  );
}
