/**
 * The extension's end-to-end journey (test/helpers/extension-journey.ts) in headless Firefox ESR,
 * driven over WebDriver BiDi with the Firefox MV3 build installed as a temporary add-on.
 */
import { expect } from 'vitest';
import { FIREFOX_ADDON_ID, FIREFOX_REDIRECT_URI, launchFirefoxWithExtension } from '../../extension/testing/firefox.ts';
import { describeExtensionJourney } from '../helpers/extension-journey.ts';

describeExtensionJourney({
  name: 'Firefox',
  target: 'firefox',
  redirectUri: FIREFOX_REDIRECT_URI,
  grantHostsAtInstall: false,
  launch: (extensionDir) => launchFirefoxWithExtension({ extensionDir }),
  afterLaunch: (ext) => expect(ext.extensionId).toBe(FIREFOX_ADDON_ID),
});
