import { browser } from 'wxt/browser';
import { portalOfUrl } from '../bitrix24/webhook';
import { isCloudPortalHost } from '../portal-hosts';
import type { BackgroundStorage } from './deps';

/** What the portal choice of the popup and the shortcut depends on; gathered by {@link createChoosePortal}. */
export interface PortalChoiceInput {
  /** The portal the popup asked for, if any. */
  requested?: string;
  /** Portals with a saved webhook. */
  configured: readonly string[];
  /** The active tab's portal (only portal tabs' addresses are visible to the extension), or null. */
  active: string | null;
  /** The portal pinned on last, or null. */
  last: string | null;
  /** The setting "Use my Bitrix24 login when no webhook is saved". */
  useLogin: boolean;
  /** Portals of open tabs, most recently used first. */
  openTabs: readonly string[];
  /** Portals in the pin history, newest first. */
  history: readonly string[];
}

/**
 * The one rule that picks the portal the popup and the shortcut act on. A portal is usable when it has a webhook,
 * or, with the login setting on, when it is open in a tab or was pinned on before. Then, in order: the requested
 * portal if usable; the active tab's portal if usable; the last portal if usable; the only configured portal; the
 * most recently used open portal tab; the newest portal of the history; else the active tab's or last portal even
 * unusable (its outcome then says what is missing), the first configured one, or null.
 */
export function decidePortal(input: PortalChoiceInput): string | null {
  const usable = new Set(input.configured);
  if (input.useLogin) {
    for (const p of input.openTabs) usable.add(p);
    for (const p of input.history) usable.add(p);
  }
  const isUsable = (p: string | null | undefined): p is string => !!p && usable.has(p);
  if (isUsable(input.requested)) return input.requested;
  if (isUsable(input.active)) return input.active;
  if (isUsable(input.last)) return input.last;
  if (input.configured.length === 1) return input.configured[0]!;
  if (input.useLogin) {
    const open = input.openTabs[0] ?? input.history[0];
    if (open) return open;
  }
  return input.active ?? input.last ?? input.configured[0] ?? null;
}

/**
 * Creates the portal choice of the popup and the shortcut ({@link decidePortal}) over the stored portals, the
 * setting, the history and the browser's tabs.
 */
export function createChoosePortal(
  storage: Pick<BackgroundStorage, 'portals' | 'lastPortal' | 'useLogin' | 'history'>,
) {
  return async function choosePortal(requested?: string): Promise<string | null> {
    const [portals, last, useLogin, history, [activeTab], tabs] = await Promise.all([
      storage.portals.getValue(),
      storage.lastPortal.getValue(),
      storage.useLogin.getValue(),
      storage.history.getValue(),
      browser.tabs.query({ active: true, lastFocusedWindow: true }).catch(() => []),
      // Without the "tabs" permission only tabs of hosts the extension may reach (portals) show their address.
      browser.tabs.query({}).catch(() => []),
    ]);
    // A tab counts as a portal when it is a cloud portal or a configured one (a self-hosted portal is known only
    // once it is configured).
    const portalOfTab = (url: string | undefined): string | null => {
      const p = portalOfUrl(url);
      return p && (Object.hasOwn(portals, p) || isCloudPortalHost(new URL(p).hostname)) ? p : null;
    };
    const openTabs = [...tabs]
      .sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0))
      .map((tab) => portalOfTab(tab.url))
      .filter((p): p is string => !!p);
    return decidePortal({
      ...(requested ? { requested } : {}),
      configured: Object.keys(portals),
      active: portalOfUrl(activeTab?.url),
      last,
      useLogin,
      openTabs: [...new Set(openTabs)],
      history: [...new Set(history.map((o) => o.portal).filter(Boolean))],
    });
  };
}
