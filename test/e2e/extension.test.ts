/** The extension's end-to-end journey (test/helpers/extension-journey.ts) in headless Chromium. */
import { expect } from 'vitest';
import { EXPECTED_EXTENSION_ID, launchChromiumWithExtension } from '../../extension/testing/chromium.ts';
import { findChromium } from '../helpers/chromium.ts';
import { describeExtensionJourney } from '../helpers/extension-journey.ts';

describeExtensionJourney({
  name: 'Chromium',
  target: 'chrome',
  redirectUri: `https://${EXPECTED_EXTENSION_ID}.chromiumapp.org/`,
  grantHostsAtInstall: true,
  launch: (extensionDir) => launchChromiumWithExtension({ extensionDir, executablePath: findChromium() }),
  afterLaunch: (ext) => expect(ext.extensionId).toBe(EXPECTED_EXTENSION_ID),
});
