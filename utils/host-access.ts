import { type Browser, browser } from 'wxt/browser';

/** The host permission pattern of one portal: `https://acme.bitrix24.com/*` (any port matches a port-less host). */
export function hostPattern(portal: string): string {
  const url = new URL(portal);
  return `${url.protocol}//${url.hostname}/*`;
}

/**
 * Whether the browser lets the extension reach a portal. Cloud portals are granted at install in Chrome, but
 * Firefox lets users withhold or revoke host access, and self-hosted portals are asked for at run time.
 * Never throws: a failing check counts as no access.
 */
export async function hasHostAccess(portal: string): Promise<boolean> {
  try {
    return await browser.permissions.contains({ origins: [hostPattern(portal)] });
  } catch {
    return false;
  }
}

/**
 * Asks the browser for access to a portal. Must be the first call in a user-gesture handler: any `await`
 * before it loses the gesture and the browser refuses without asking.
 * @returns whether access is granted now.
 */
export function requestHostAccess(portal: string): Promise<boolean> {
  return browser.permissions.request({ origins: [hostPattern(portal)] }).catch(() => false);
}

/**
 * Reports whether each portal is reachable, now and again whenever the browser's permissions change (the user
 * grants or revokes site access while a page is open).
 * @param onChange called with `{ [portal]: reachable }` for every portal given.
 * @returns a function that stops watching.
 */
export function watchHostAccess(
  portals: string[],
  onChange: (access: Record<string, boolean>) => void,
): () => void {
  let live = true;
  const refresh = async () => {
    const entries = await Promise.all(portals.map(async (p) => [p, await hasHostAccess(p)] as const));
    if (live) onChange(Object.fromEntries(entries));
  };
  void refresh();
  browser.permissions.onAdded.addListener(refresh);
  browser.permissions.onRemoved.addListener(refresh);
  return () => {
    live = false;
    browser.permissions.onAdded.removeListener(refresh);
    browser.permissions.onRemoved.removeListener(refresh);
  };
}

/**
 * The open tabs showing a portal's pages under `path` (e.g. `/online/*`). Match patterns carry no port (Firefox
 * rejects a pattern with one, Chrome ignores it), so the tabs are queried by host and then kept only when their
 * origin is exactly the portal's: a self-hosted portal on `:8443` does not reach tabs of the same host on `:443`.
 * Never throws: no access gives no tabs.
 */
export async function portalTabs(portal: string, path = '/*'): Promise<Browser.tabs.Tab[]> {
  try {
    const url = new URL(portal);
    const tabs = await browser.tabs.query({ url: `${url.protocol}//${url.hostname}${path}` });
    return tabs.filter((tab) => {
      try {
        return tab.id !== undefined && !!tab.url && new URL(tab.url).origin === url.origin;
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}
