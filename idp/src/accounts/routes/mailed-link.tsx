/**
 * What the pages of a mailed one-time link share (/verify-email, /my/account/email/confirm): the link
 * counts only in the session of the account it was sent for, and once spent the page says what changed
 * and leads back to the account.
 */
import type { ComponentChildren } from 'preact';
import { AppError } from '../../errors.ts';
import type { MessageKey, Translate } from '../../i18n/translator.ts';
import { ConfirmLinkPage, Layout, Notice, renderPage, Rich } from '../../ui/render.tsx';
import { linkForAnotherAccount } from '../account-service.ts';
import type { Account } from '../types.ts';

/** The link, when it is live (else `gone`, 410) and was sent for `account` (else 403). */
export function linkFor<L extends { accountId: string }>(link: L | undefined, account: Account, gone: string): L {
  if (!link) throw new AppError('gone', gone);
  if (link.accountId !== account.id) throw linkForAnotherAccount();
  return link;
}

/**
 * The page a live link opens: a button that spends it (mail scanners only GET), and `says` (a sentence
 * with {{email}}, {{name}} and {{accountEmail}}) naming the address and the account it is for.
 */
export function linkConfirmPage(t: Translate, p: { title: string; heading: string; action: string; token: string; csrf: string; button: string; says: MessageKey; email: string; account: Account }): string {
  return renderPage(
    <ConfirmLinkPage t={t} title={p.title} heading={p.heading} action={p.action} token={p.token} csrf={p.csrf} button={p.button}>
      <p><Rich t={t} key_={p.says} parts={{ email: <strong>{p.email}</strong>, name: <strong>{p.account.name}</strong>, accountEmail: p.account.email }} /></p>
    </ConfirmLinkPage>,
  );
}

/** The page once the link is spent. */
export function linkSpentPage(t: Translate, account: Account, title: string, notice: ComponentChildren): string {
  return renderPage(
    <Layout t={t} title={title} user={account}>
      <h1>{title}</h1>
      <Notice kind="success">{notice}</Notice>
      <p><a class="button" href="/my/account">{t('Continue to your account')}</a></p>
    </Layout>,
  );
}
