/** Readable browser and OS from a User-Agent header (bowser, MIT). */
import Bowser from 'bowser';

export interface DeviceName {
  browser: string;
  os: string;
}

export function describeUserAgent(userAgent: string | undefined): DeviceName {
  if (!userAgent) return { browser: 'Unknown browser', os: 'Unknown system' };
  try {
    const parsed = Bowser.parse(userAgent.slice(0, 512));
    const major = parsed.browser.version?.split('.')[0];
    const browser = parsed.browser.name ? `${parsed.browser.name}${major ? ` ${major}` : ''}` : 'Unknown browser';
    const os = parsed.os.name ? `${parsed.os.name}${parsed.os.versionName ? ` ${parsed.os.versionName}` : ''}` : 'Unknown system';
    return { browser, os };
  } catch {
    return { browser: 'Unknown browser', os: 'Unknown system' };
  }
}

export function deviceLabel(userAgent: string | undefined): string {
  const d = describeUserAgent(userAgent);
  return `${d.browser} on ${d.os}`;
}
