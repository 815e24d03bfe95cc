/**
 * axe-core through @axe-core/puppeteer with the WCAG 2.1 A and AA rules, for the IdP's pages, the
 * reference database's and the extension's, in real Chromium (and Firefox for the extension). Returns
 * the violations as readable lines (empty when there are none), so a failing test prints which rule
 * failed on which element.
 */
import { AxePuppeteer } from '@axe-core/puppeteer';
import type { Page } from 'puppeteer-core';
import { expect } from 'vitest';

export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export async function axeViolations(page: Page): Promise<string[]> {
  // @axe-core/puppeteer is typed against `puppeteer`; puppeteer-core's Page is the same class.
  const results = await new AxePuppeteer(page as never).withTags(WCAG_21_AA).analyze();
  return results.violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/** Every page `expectAccessible` checked in this test file, as "label: path" (the suites print it). */
export const checkedPages: string[] = [];

/**
 * The one call per page of the browser suites: axe-core with the WCAG 2.1 A and AA rules finds no
 * violation on `page` as it is now. A failure names the page and lists each rule with its targets.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  // axe runs on a loaded document (its frame check refuses one still loading).
  await page.waitForFunction(() => document.readyState === 'complete');
  const violations = await axeViolations(page);
  checkedPages.push(`${label}: ${new URL(page.url()).pathname}`);
  expect(violations, `axe-core on ${label} (${page.url()})`).toEqual([]);
}

/**
 * The control `selector` is announced with its error: `aria-invalid="true"`, and its
 * `aria-describedby` names elements that exist and together hold `message`.
 */
export async function expectFieldError(page: Page, selector: string, message: string): Promise<void> {
  const state = await page.$eval(selector, (el) => {
    const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    return {
      invalid: el.getAttribute('aria-invalid'),
      described: ids.map((id) => document.getElementById(id)?.textContent ?? `(no element #${id})`).join(' '),
    };
  });
  expect(state.invalid, `${selector} aria-invalid`).toBe('true');
  expect(state.described, `${selector} aria-describedby`).toContain(message);
}
