/** The pages around one form that signed-out people fill in (sign up, forgotten password, new password). */
import type { ComponentChildren, VNode } from 'preact';
import type { Translate } from '../i18n/translator.ts';
import { Field, type LanguageSwitch, Layout, Notice, PostForm } from './render.tsx';

/** The title as the heading, the page's error (or `notice`) on top, the form posting to `action`, then `after` (a way out). */
export function FormPage(p: {
  t: Translate; switcher?: LanguageSwitch; title: string; error?: string; notice?: ComponentChildren; action: string; csrf: string; children: ComponentChildren; after?: ComponentChildren;
}): VNode {
  return (
    <Layout t={p.t} switcher={p.switcher} title={p.title}>
      <h1>{p.title}</h1>
      {p.error && <Notice kind="error">{p.error}</Notice>}
      {p.notice}
      <section>
        <PostForm action={p.action} csrf={p.csrf}>{p.children}</PostForm>
      </section>
      {p.after}
    </Layout>
  );
}

/** A password being chosen: the browser may suggest one, and is told the length the accounts service asks for. */
export function NewPasswordField({ t, label, error }: { t: Translate; label: string; error?: string }): VNode {
  return <Field name="password" label={label} type="password" autocomplete="new-password" error={error} hint={t('At least 8 characters. A long passphrase is best.')} minLength={8} />;
}
