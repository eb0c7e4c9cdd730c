import { browser } from 'wxt/browser';
import { WEBHOOK_BROKEN } from '../bitrix24/errors';
import { portalTabs } from '../host-access';
import type { ContentMessage } from '../messaging';
import { presentOutcome } from '../notify';
import { type PinOutcome, parseHistory } from '../outcome';
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
  const message: ContentMessage = { type: 'outcome', outcome };
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
