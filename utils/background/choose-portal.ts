import { browser } from 'wxt/browser';
import { portalOfUrl } from '../bitrix24/webhook';
import type { BackgroundStorage } from './deps';

/**
 * The portal the popup and the shortcut act on: the active tab's portal when it is configured, else the portal
 * pinned on last, else the only configured one; null when there is none.
 */
export function createChoosePortal(storage: Pick<BackgroundStorage, 'portals' | 'lastPortal'>) {
  return async function choosePortal(requested?: string): Promise<string | null> {
    const portals = await storage.portals.getValue();
    if (requested && portals[requested]) return requested;
    const [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true }).catch(() => []);
    const active = portalOfUrl(tab?.url);
    if (active && portals[active]) return active;
    const last = await storage.lastPortal.getValue();
    if (last && portals[last]) return last;
    const configured = Object.keys(portals);
    if (configured.length === 1) return configured[0]!;
    return active ?? last ?? configured[0] ?? null;
  };
}
