/**
 * The frame of a step of a sign-in for a database (sign in, second factor): its heading, the database it
 * continues to, the page's notice and error, the step itself, and Cancel (the request ends, the database
 * is told).
 */
import type { ComponentChildren, VNode } from 'preact';
import type { Translate } from '../../i18n/translator.ts';
import { ButtonForm, type LanguageSwitch, Layout, Notice } from '../../ui/render.tsx';

export function InteractionPage(p: {
  t: Translate; switcher?: LanguageSwitch; title: string; uid: string; csrf: string; clientName: string; notice?: string; error?: string; children: ComponentChildren;
}): VNode {
  const { t } = p;
  return (
    <Layout t={t} switcher={p.switcher} title={p.title}>
      <h1>{p.title}</h1>
      <p class="muted">{t('to continue to {{client}}', { client: p.clientName })}</p>
      {p.notice && <Notice kind="info">{p.notice}</Notice>}
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {p.children}
      <ButtonForm action={`/interaction/${p.uid}/abort`} csrf={p.csrf} kind="secondary">{t('Cancel')}</ButtonForm>
    </Layout>
  );
}
