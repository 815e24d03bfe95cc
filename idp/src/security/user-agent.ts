/** Readable browser and OS from a User-Agent header (bowser, MIT). */
import Bowser from 'bowser';
import { msg, translateText, translator, type Translate } from '../i18n/translator.ts';

/** What a device is called when its User-Agent says nothing: catalog sentences, so a page words them in its language. */
const UNKNOWN_BROWSER = msg('Unknown browser');
const UNKNOWN_SYSTEM = msg('Unknown system');

export interface DeviceName {
  browser: string;
  os: string;
}

export function describeUserAgent(userAgent: string | undefined): DeviceName {
  if (!userAgent) return { browser: UNKNOWN_BROWSER, os: UNKNOWN_SYSTEM };
  try {
    const parsed = Bowser.parse(userAgent.slice(0, 512));
    const major = parsed.browser.version?.split('.')[0];
    const browser = parsed.browser.name ? `${parsed.browser.name}${major ? ` ${major}` : ''}` : UNKNOWN_BROWSER;
    const os = parsed.os.name ? `${parsed.os.name}${parsed.os.versionName ? ` ${parsed.os.versionName}` : ''}` : UNKNOWN_SYSTEM;
    return { browser, os };
  } catch {
    return { browser: UNKNOWN_BROWSER, os: UNKNOWN_SYSTEM };
  }
}

const english = translator('en');

/** "Chrome 130 on Linux", in `t`'s language (English by default: what an audit entry stores). */
export function deviceLabel(userAgent: string | undefined, t: Translate = english): string {
  const d = describeUserAgent(userAgent);
  return t('{{browser}} on {{os}}', { browser: translateText(t, d.browser), os: translateText(t, d.os) });
}
