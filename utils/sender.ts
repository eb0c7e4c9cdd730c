import type { Browser } from 'wxt/browser';
import { portalOfUrl } from './bitrix24/webhook';
import { isCloudPortalHost } from './portal-hosts';

/** Who sent a runtime message, as far as the background trusts it. */
export type SenderKind =
  /** The popup or the options page of this extension. */
  | { kind: 'extension-page' }
  /** This extension's content script in a tab (any frame) of a portal page. */
  | { kind: 'content-script'; portal: string; tabId: number; frameId: number };

/**
 * Classifies a message sender, or returns null for anything the background must refuse: another extension, a web
 * page (`externally_connectable` is not declared, but check anyway), a look-alike origin such as
 * `chrome-extension://ID.evil.example`, a content script on a page that is not a portal.
 * @param extensionOrigin this extension's origin, e.g. `chrome-extension://abc…` (from `runtime.getURL('/')`).
 * @param isKnownPortal whether an https origin is a configured (self-hosted) portal; cloud hosts always qualify.
 */
export function classifySender(
  sender: Browser.runtime.MessageSender,
  extensionId: string,
  extensionOrigin: string,
  isKnownPortal: (origin: string) => boolean,
): SenderKind | null {
  if (sender.id !== extensionId || !sender.url) return null;
  let url: URL;
  try {
    url = new URL(sender.url);
  } catch {
    return null;
  }
  // `URL.origin` is "null" for extension schemes in some engines: compare scheme and host instead.
  if (`${url.protocol}//${url.host}` === extensionOrigin) return { kind: 'extension-page' };
  const tabId = sender.tab?.id;
  if (tabId === undefined || tabId < 0 || sender.frameId === undefined) return null;
  const portal = portalOfUrl(sender.url);
  if (!portal) return null;
  // Chrome reports the frame's origin separately; it must agree with the URL (about:blank/srcdoc frames differ).
  const reportedOrigin = (sender as { origin?: string }).origin;
  if (reportedOrigin && reportedOrigin !== 'null' && portalOfUrl(`${reportedOrigin}/`) !== portal)
    return null;
  const host = new URL(portal).hostname;
  if (!isCloudPortalHost(host) && !isKnownPortal(portal)) return null;
  return { kind: 'content-script', portal, tabId, frameId: sender.frameId };
}
