/**
 * axe-core through @axe-core/puppeteer with the WCAG 2.1 A and AA rules, for extension pages in real
 * Chromium and Firefox. Returns the violations as readable lines (empty when there are none), so a
 * failing test prints which rule failed on which element.
 */
import { AxePuppeteer } from '@axe-core/puppeteer';
import type { Page } from 'puppeteer-core';

export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export async function axeViolations(page: Page): Promise<string[]> {
  // @axe-core/puppeteer is typed against `puppeteer`; puppeteer-core's Page is the same class.
  const results = await new AxePuppeteer(page as never).withTags(WCAG_21_AA).analyze();
  return results.violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
