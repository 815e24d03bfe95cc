/**
 * Background (MV3 service worker in Chrome, event page in Firefox): owns the tokens and the network.
 * Listeners are registered synchronously so a woken-up worker gets the event that woke it.
 */
import { defineBackground } from 'wxt/utils/define-background';
import { createBackgroundService } from '../lib/background-service.ts';
import {
  clearNotification,
  hasOriginPermission,
  identityRedirectUrl,
  launchWebAuthFlow,
  onAlarm,
  onInstalledOrStartup,
  onNotificationClicked,
  onRuntimeMessage,
  ownExtension,
  schedulePeriodicAlarm,
  setBadge,
  openTab,
  showNotification,
} from '../lib/browser-api.ts';
import { createDpopKeyStore } from '../lib/dpop-key-store.ts';
import { createMessageRouter } from '../lib/messages.ts';

const REFRESH_ALARM = 'refresh-status';
const REFRESH_EVERY_MINUTES = 15;

export default defineBackground({
  // Firefox (MV3 `background.scripts`): an event page, unloaded when idle like Chrome's service worker.
  persistent: false,
  main() {
  const service = createBackgroundService({
    keyStore: createDpopKeyStore(),
    redirectUri: identityRedirectUrl,
    launchWebAuthFlow,
    hasOriginPermission,
    setBadge,
    notify: showNotification,
  });

  onRuntimeMessage(createMessageRouter(service.handlers, ownExtension));
  onAlarm(REFRESH_ALARM, () => void service.periodicRefresh());
  onNotificationClicked((id) => {
    void service.notificationTarget(id).then((url) => (url ? openTab(url) : undefined));
    void clearNotification(id);
  });
  onInstalledOrStartup(() => {
    void schedulePeriodicAlarm(REFRESH_ALARM, REFRESH_EVERY_MINUTES);
    void service.periodicRefresh();
  });
  },
});
