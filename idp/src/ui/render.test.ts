/**
 * The form-error markup every page shares: a control with an error is marked invalid and described by
 * an element that exists and holds the message; the page-level error is an alert.
 */
import { describe, expect, it } from 'vitest';
import { renderToString } from 'preact-render-to-string';
import { h, type VNode } from 'preact';
import { translator } from '../i18n/translator.ts';
import { Choices, controlAria, Field, formError, Notice, Rich, Select, TextArea } from './render.tsx';

/** The attributes of the element with `id` in `html`. */
function attributesOf(html: string, id: string): Record<string, string> {
  const tag = html.match(new RegExp(`<[a-z]+[^>]* id="${id}"[^>]*>`))?.[0] ?? '';
  return Object.fromEntries([...tag.matchAll(/([a-z-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}
/** The text of the element with `id` in `html`. */
function textOf(html: string, id: string): string | undefined {
  return html.match(new RegExp(`id="${id}"[^>]*>([^<]*)<`))?.[1];
}
const draw = (node: VNode) => renderToString(node);

describe('form controls with an error', () => {
  it('Field: aria-invalid and an aria-describedby naming its hint and its error message', () => {
    const html = draw(Field({ name: 'current_password', label: 'Current password', type: 'password', hint: 'Your password.', error: 'Your current password is not correct.' }));
    const input = attributesOf(html, 'f-current_password');
    expect(input['aria-invalid']).toBe('true');
    expect(html).toMatch(/<input[^>]* required[ />]/);
    const ids = input['aria-describedby']!.split(' ');
    expect(ids).toEqual(['f-current_password-hint', 'f-current_password-error']);
    expect(textOf(html, 'f-current_password-error')).toBe('Your current password is not correct.');
    expect(textOf(html, 'f-current_password-hint')).toBe('Your password.');
    expect(html).toContain('<label for="f-current_password">');
  });

  it('Field without an error: neither aria-invalid nor an error element', () => {
    const html = draw(Field({ name: 'email', label: 'Email' }));
    const input = attributesOf(html, 'f-email');
    expect(input['aria-invalid']).toBeUndefined();
    expect(input['aria-describedby']).toBeUndefined();
    expect(html).not.toContain('f-email-error');
  });

  it('Select and TextArea: the same association', () => {
    for (const html of [
      draw(Select({ name: 'member', label: 'New owner', options: [['a', 'A'], ['b', 'B']], error: 'Choose an active member.' })),
      draw(TextArea({ name: 'member', label: 'Members', value: '', error: 'Choose an active member.' })),
    ]) {
      const control = attributesOf(html, 'f-member');
      expect(control['aria-invalid']).toBe('true');
      expect(control['aria-describedby']).toBe('f-member-error');
      expect(textOf(html, 'f-member-error')).toBe('Choose an active member.');
    }
  });

  it('Choices: the group and each of its inputs point at the message', () => {
    const aria = controlAria('scope', { error: 'Choose read or read-write.' });
    const html = draw(Choices({ name: 'scope', legend: 'Access', error: 'Choose read or read-write.', children: h('label', null, h('input', { type: 'radio', name: 'scope', value: 'read', ...aria }), ' Read') }));
    expect(html).toMatch(/<fieldset[^>]* aria-describedby="f-scope-error"/);
    expect(html).toMatch(/<input[^>]* aria-invalid="true"[^>]* aria-describedby="f-scope-error"/);
    expect(textOf(html, 'f-scope-error')).toBe('Choose read or read-write.');
  });

  it('the page-level error is an alert, information a status', () => {
    expect(draw(Notice({ kind: 'error', children: 'No.' }))).toContain('role="alert"');
    expect(draw(Notice({ kind: 'success', children: 'Yes.' }))).toContain('role="status"');
  });

  it('formError: a message about a drawn field goes beside it, any other on top', () => {
    expect(formError({ message: 'Bad email.', fields: { email: 'Bad email.' } }, ['email'])).toEqual({ fields: { email: 'Bad email.' }, error: undefined });
    expect(formError({ message: 'Too many tries.' }, ['email'])).toEqual({ fields: {}, error: 'Too many tries.' });
    expect(formError({ message: 'Bad.', fields: { other: 'Bad.' } }, ['email'])).toEqual({ fields: {}, error: 'Bad.' });
  });
});

describe('Rich: a translated sentence with markup in it', () => {
  it('puts each element where the language puts its placeholder, and escapes the text around it', () => {
    const parts = { logOut: h('a', { href: '/session/end' }, 'log out') };
    const key = 'If another of your accounts is a member, {{logOut}} and sign in with that one.';
    expect(renderToString(h(Rich, { t: translator('en'), key_: key, parts }))).toBe('If another of your accounts is a member, <a href="/session/end">log out</a> and sign in with that one.');
    expect(renderToString(h(Rich, { t: translator('fr'), key_: key, parts }))).toBe('Si l’un de vos autres comptes est membre, <a href="/session/end">log out</a> et connectez-vous avec celui-ci.');
    const named = renderToString(h(Rich, { t: translator('en'), key_: 'No access to {{database}}', parts: { database: '<b>x</b>' } }));
    expect(named).toBe('No access to &lt;b>x&lt;/b>');
  });
});
