/** Account Information: details form and the email change form. */
import type { Account } from '../types.ts';
import { LANGUAGES } from '../profile-service.ts';
import { CsrfField, Field, Layout, Notice, renderPage, Select } from '../../ui/render.tsx';

const done: Record<string, string> = {
  details: 'Your details were saved.',
  'email-sent': 'We sent a confirmation link to your new address. Your email changes when you open it.',
  'email-changed': 'Your email address was changed.',
  'confirmation-sent': 'We sent a new confirmation link. Open it in this browser, signed in to this account.',
};

let zones: string[] | undefined;

export function accountPage(p: { account: Account; csrf: string; done?: string; error?: string; fields?: Record<string, string>; values?: Record<string, string> }): string {
  const a = p.account;
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  const v = { name: a.name, locale: a.locale, timezone: a.timezone, ...p.values };
  return renderPage(
    <Layout title="Account Information" user={a} active="account">
      <h1>Account Information</h1>
      {p.done && done[p.done] && <Notice kind="success">{done[p.done]}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {!a.emailVerifiedAt && (
        <Notice kind="info">
          <p>Confirm your email address first: we sent a link to {a.email}, or resend it. Until then this account can only confirm its address, change it, or be deleted.</p>
          <form method="post" action="/my/account/email/resend">
            <CsrfField token={p.csrf} />
            <button type="submit">Resend the confirmation link</button>
          </form>
          <p><a href="/my/security/delete">Delete this account</a></p>
        </Notice>
      )}
      <section aria-labelledby="details">
        <h2 id="details">Your details</h2>
        <form method="post" action="/my/account/details">
          <CsrfField token={p.csrf} />
          <Field name="name" label="Name" autocomplete="name" value={v.name} error={p.fields?.name} maxLength={120} />
          <Select name="locale" label="Language" options={Object.entries(LANGUAGES)} value={v.locale} error={p.fields?.locale} />
          <Select name="timezone" label="Time zone" options={zones} value={v.timezone} error={p.fields?.timezone} />
          <button type="submit">Save</button>
        </form>
      </section>
      <section aria-labelledby="email">
        <h2 id="email">Email address</h2>
        <p>{a.email} {a.emailVerifiedAt ? '(confirmed)' : '(not confirmed)'}</p>
        <form method="post" action="/my/account/email">
          <CsrfField token={p.csrf} />
          <Field name="email" label="New email address" type="email" autocomplete="email" value={p.values?.email} error={p.fields?.email} />
          <button type="submit">Change email</button>
        </form>
        <p class="hint">Changing your account email never changes the login you use to sign in to a database.</p>
      </section>
    </Layout>,
  );
}
