import { browser } from 'wxt/browser';
import { createBackground, realDeps } from '@/utils/background';
import { wireAnswer } from '@/utils/background/router';
import { migrateLegacyWebhooks } from '@/utils/secret-store';
import { restrictStorageToTrustedContexts } from '@/utils/storage';

/** Wiring only: every listener is registered synchronously at start-up, so a trigger wakes the worker. */
export default defineBackground(() => {
  const bg = createBackground(realDeps());
  browser.runtime.onMessage.addListener((message, sender) =>
    bg.handleMessage(message, sender).then(wireAnswer),
  );
  browser.commands.onCommand.addListener((command) => {
    void bg.onCommand(command);
  });
  browser.notifications.onClicked.addListener((id) => {
    void bg.onNotificationClicked(id);
  });
  // Chromium only: the "Undo" button of a pin's notification (Firefox has no notification buttons).
  browser.notifications.onButtonClicked?.addListener((id, index) => {
    void bg.onNotificationButton(id, index);
  });
  // Self-hosted portals: content scripts registered at run time follow the operator's permission changes.
  browser.permissions.onAdded.addListener(() => void bg.syncRegistrations());
  browser.permissions.onRemoved.addListener(() => void bg.syncRegistrations());
  browser.runtime.onInstalled.addListener(() => void bg.syncRegistrations());
  // Webhooks an older version left in storage.local move to IndexedDB now, before anything asks for them (every
  // read waits for the move too); an update re-runs it for a worker that was already up.
  void migrateLegacyWebhooks().catch(() => {});
  browser.runtime.onInstalled.addListener(({ reason }) => {
    if (reason === 'update') void migrateLegacyWebhooks().catch(() => {});
  });
  // The organisation's policy changed (Chrome applies it without a restart): its portals and history rule apply now.
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area === 'managed') void bg.onPolicyChanged();
  });
  void restrictStorageToTrustedContexts();
  void bg.onPolicyChanged();
  // A pin whose worker died before its answer gets its "no reply" outcome now, not at the next trigger.
  void bg.recoverLostPins();
});
