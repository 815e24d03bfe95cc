/**
 * A keyboard-only journey in real Chromium: sign up, confirm the address from the mailed link, sign in,
 * turn on 2FA with a code from the app, using only `page.keyboard` (Tab, Shift+Tab, Enter, Space and
 * typing). No click, no focus() on an element, no value set by script: pages are opened with goto only
 * where a person follows a link from outside (the start page, the mailed link). At each step the test
 * asserts where the focus is, that it is visible (`:focus-visible` draws an outline or a shadow, never
 * `outline: none` alone), and that the skip link, the first stop of every page, leads to the main
 * landmark and so to the main form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { useTestIdp } from '../helpers/use-test-idp.ts';
import { linkFrom } from '../helpers/idp.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { totp } from '../helpers/security.ts';
import { expectAccessible } from '../helpers/axe.ts';

const idp = useTestIdp({ resetClock: true });
let chromium: Browser;

beforeAll(async () => {
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
});

interface Focused {
  tag: string;
  id: string;
  name: string;
  text: string;
  focusVisible: boolean;
  /** The focus ring: an outline that is not none/0, or a box shadow. */
  ring: boolean;
  inMain: boolean;
  onScreen: boolean;
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { tag: 'body', id: '', name: '', text: '', focusVisible: false, ring: false, inMain: false, onScreen: false };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0;
    const box = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      name: el.getAttribute('name') ?? '',
      text: (el.innerText ?? el.textContent ?? '').trim(),
      focusVisible: el.matches(':focus-visible'),
      ring: outline || style.boxShadow !== 'none',
      inMain: Boolean(el.closest('main')),
      onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0,
    };
  });
}

/** The focus is on a control that shows it (anything but the main landmark, which only receives the skip). */
async function expectVisibleFocus(page: Page, where: string): Promise<Focused> {
  const f = await focused(page);
  expect(f.tag, where).not.toBe('body');
  if (f.tag !== 'main') {
    expect(f.focusVisible, `${where}: :focus-visible`).toBe(true);
    expect(f.ring, `${where}: a visible focus ring`).toBe(true);
    expect(f.onScreen, `${where}: on screen`).toBe(true);
  }
  return f;
}

async function tab(page: Page, shift = false): Promise<Focused> {
  if (shift) await page.keyboard.down('Shift');
  await page.keyboard.press('Tab');
  if (shift) await page.keyboard.up('Shift');
  return focused(page);
}

/** Presses a key that submits or follows a link, and waits for the next page. */
async function pressAndWait(page: Page, key: 'Enter' | 'Space'): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press(key)]);
}

/** From the top of a page: Tab reaches the skip link first; Enter on it moves the focus to <main>. */
async function skipToMain(page: Page): Promise<void> {
  const first = await tab(page);
  expect(first.tag, `first Tab stop on ${page.url()}`).toBe('a');
  expect(first.text).toBe('Skip to main content');
  await expectVisibleFocus(page, 'skip link');
  await page.keyboard.press('Enter');
  const main = await focused(page);
  expect(main.tag, 'the skip link moves the focus to the main landmark').toBe('main');
}

/** Tabs forward until the focused element matches `want` (at most `limit` stops), asserting each stop shows its focus. */
async function tabTo(page: Page, want: (f: Focused) => boolean, what: string, limit = 60): Promise<Focused> {
  for (let i = 0; i < limit; i++) {
    const f = await tab(page);
    await expectVisibleFocus(page, `Tab towards ${what}`);
    if (want(f)) return f;
  }
  throw new Error(`${what} not reached with ${limit} Tab presses on ${page.url()}`);
}

async function typeInto(page: Page, id: string, value: string): Promise<void> {
  const f = await focused(page);
  expect(f.id, `the focus is on #${id}`).toBe(id);
  await page.keyboard.type(value);
}

describe('keyboard only, in Chromium', () => {
  it('signs up, confirms the address, signs in and turns on 2FA without a pointer', async () => {
    const email = 'keys@example.com';
    const password = 'typed on a keyboard only';
    const context = await chromium.createBrowserContext();
    const page = await context.newPage();

    // Sign up: the skip link, then the form's fields in order, then the button.
    await page.goto(`${idp.issuer}/signup`, { waitUntil: 'load' });
    await skipToMain(page);
    expect((await tab(page)).id).toBe('f-name');
    await expectVisibleFocus(page, 'name field');
    await typeInto(page, 'f-name', 'Kay Board');
    await tab(page);
    await typeInto(page, 'f-email', email);
    await tab(page);
    await typeInto(page, 'f-password', password);
    // Shift+Tab goes back to the email field, Tab forward again.
    expect((await tab(page, true)).id).toBe('f-email');
    expect((await tab(page)).id).toBe('f-password');
    const submit = await tab(page);
    expect(submit.tag).toBe('button');
    expect(submit.text).toBe('Create account');
    await expectVisibleFocus(page, 'Create account');
    await pressAndWait(page, 'Enter');
    expect(await page.$eval('main', (m) => (m as HTMLElement).innerText)).toContain('Check your inbox');

    // Sign in: Enter in the password field submits the form.
    await page.goto(`${idp.issuer}/my/login`, { waitUntil: 'load' });
    await skipToMain(page);
    expect((await tab(page)).id).toBe('f-email');
    await typeInto(page, 'f-email', email);
    await tab(page);
    await typeInto(page, 'f-password', password);
    await pressAndWait(page, 'Enter');
    expect(page.url()).toContain('/my/account');

    // The mailed link (followed from the mail, outside the page); Space presses its one button.
    await page.goto(linkFrom(idp.lastMailTo(email), '/verify-email').toString(), { waitUntil: 'load' });
    await skipToMain(page);
    const confirm = await tab(page);
    expect(confirm.text).toBe('Confirm my address');
    await expectVisibleFocus(page, 'Confirm my address');
    await pressAndWait(page, 'Space');
    expect(await page.$eval('main', (m) => (m as HTMLElement).innerText)).toContain('is confirmed');

    // From the confirmation to Connection & Security through the header navigation.
    await skipToMain(page);
    const next = await tab(page);
    expect(next.text).toBe('Continue to your account');
    await pressAndWait(page, 'Enter');
    expect(page.url()).toContain('/my/account');
    await tabTo(page, (f) => f.tag === 'a' && f.text === 'Connection & Security', 'the Connection & Security link');
    await pressAndWait(page, 'Enter');
    expect(page.url()).toContain('/my/security');

    // Turn on 2FA: the button is reached with Tab from the main landmark.
    await skipToMain(page);
    const start = await tabTo(page, (f) => f.text === 'Turn on two-factor authentication', 'the 2FA button');
    expect(start.inMain).toBe(true);
    await pressAndWait(page, 'Enter');
    expect(page.url()).toContain('/my/security/2fa/start');
    const secret = await page.$eval('#totp-secret', (e) => e.textContent!.trim());

    // A wrong code first: the page comes back with the error on the field, and the keyboard path is the same.
    await skipToMain(page);
    expect((await tab(page)).id).toBe('f-code');
    await typeInto(page, 'f-code', '000000');
    await pressAndWait(page, 'Enter');
    expect(await page.$eval('#f-code', (e) => e.getAttribute('aria-invalid'))).toBe('true');
    await expectAccessible(page, 'keyboard journey, wrong code');
    await skipToMain(page);
    expect((await tab(page)).id).toBe('f-code');
    await page.keyboard.type(totp(secret));
    const turnOn = await tab(page);
    expect(turnOn.text).toBe('Turn on');
    await expectVisibleFocus(page, 'Turn on');
    expect((await tab(page, true)).id, 'Shift+Tab back to the code').toBe('f-code');
    expect((await tab(page)).text).toBe('Turn on');
    await pressAndWait(page, 'Enter');
    expect(await page.$$eval('#recovery-codes code', (c) => c.length)).toBe(10);
    const account = await idp.services.accounts.findByEmail(email);
    expect(await idp.services.security.twoFactor.isEnabled(account!.id)).toBe(true);

    // The recovery codes page: its "Done" link is the first stop after the skip.
    await skipToMain(page);
    const done = await tab(page);
    expect(done.text).toBe('Done');
    await expectVisibleFocus(page, 'Done');
    await pressAndWait(page, 'Enter');
    expect(page.url()).toContain('/my/security');
    await context.close();
  });
});
