import { browser } from 'wxt/browser';
import { WEBHOOK_BROKEN } from '../bitrix24/errors';
import { portalTabs } from '../host-access';
import type { ContentMessageInput } from '../messaging';
import { presentOutcome } from '../notify';
import { type PinOutcome, parseHistory, storedOutcome } from '../outcome';
import type { BackgroundStorage } from './deps';

/** Shows an outcome: notification, badge, and the control on the portal's open tabs. Never rejects. */
export async function presentEverywhere(outcome: PinOutcome): Promise<void> {
  await Promise.allSettled([presentOutcome(outcome), broadcastOutcome(outcome)]);
}

/**
 * Sends a new outcome to the content scripts of the portal's open tabs (every frame): one message per tab, the
 * outcome serialized by the browser once per tab.
 */
export async function broadcastOutcome(outcome: PinOutcome): Promise<void> {
  if (!outcome.portal) return;
  // The compact form: 10,000 session IDs are one string to serialize, not 10,000 values.
  const message: ContentMessageInput = { type: 'outcome', outcome: storedOutcome(outcome) };
  const tabs = await portalTabs(outcome.portal);
  await Promise.allSettled(tabs.map((tab) => browser.tabs.sendMessage(tab.id!, message)));
}

/**
 * Creates the handler of a click on a notification: a success opens (or focuses) the portal's Open Lines; a
 * failure that needs the options page opens it; other failures open the portal.
 */
export function createNotificationClick(storage: Pick<BackgroundStorage, 'history'>) {
  return async function onNotificationClicked(notificationId: string): Promise<void> {
    const outcome = parseHistory(await storage.history.getValue()).find((o) => o.id === notificationId);
    await browser.notifications.clear(notificationId).catch(() => false);
    if (!outcome) return;
    const needsOptions =
      !outcome.portal ||
      (!outcome.ok &&
        (WEBHOOK_BROKEN.has(outcome.error.kind) ||
          ['no-webhook', 'portal-moved', 'host-access'].includes(outcome.error.kind)));
    if (needsOptions) {
      await browser.runtime.openOptionsPage();
      return;
    }
    const [existing] = await portalTabs(outcome.portal, '/online/*');
    if (existing?.id !== undefined) {
      await browser.tabs.update(existing.id, { active: true });
      if (existing.windowId !== undefined)
        await browser.windows.update(existing.windowId, { focused: true }).catch(() => {});
    } else {
      await browser.tabs.create({ url: `${outcome.portal}/online/?IM_LINES=Y` });
    }
  };
}

/** The popup's query parameter that opens it straight on the Unpin all confirmation. */
export const ASK_UNPIN_ALL = 'unpin-all';

/**
 * Asks the operator to confirm Unpin all when it was triggered without any UI (the `unpin-all` command): opens the
 * popup page in a small window, on its confirmation ("Unpin your pinned Open Lines dialogs? …"), for `portal`.
 * Nothing is unpinned unless the operator confirms there. Never rejects.
 */
export async function askUnpinAll(portal: string | null): Promise<void> {
  const query = new URLSearchParams({ ask: ASK_UNPIN_ALL, ...(portal ? { portal } : {}) });
  const url = browser.runtime.getURL(`/popup.html?${query}`);
  try {
    await browser.windows.create({ url, type: 'popup', width: 420, height: 560, focused: true });
  } catch {
    await browser.tabs.create({ url }).catch(() => {});
  }
}
