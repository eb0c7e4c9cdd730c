import type { Browser } from 'wxt/browser';
import { portalOfUrl } from './bitrix24/webhook';
import { isCloudPortalHost } from './portal-hosts';

/** Who sent a runtime message, as far as the background trusts it. */
export type SenderKind =
  /** The popup or the options page of this extension. */
  | { kind: 'extension-page' }
  /** This extension's content script in a portal's own document, in a tab whose top-level page is that portal. */
  | { kind: 'content-script'; portal: string; tabId: number; frameId: number }
  /**
   * This extension's content script in a portal-like document that may not pin: framed by another site, a
   * sandboxed or opaque-origin document, or a port other than the portal's. It learns only "not available here".
   */
  | { kind: 'foreign-document' };

/**
 * Classifies a message sender, or returns null for anything the background must refuse silently: another
 * extension, a web page (`externally_connectable` is not declared, but check anyway), a look-alike origin such as
 * `chrome-extension://ID.evil.example`, a content script on a page that is not a portal.
 *
 * A content script is a portal's own only when all of these name the same portal origin: the document's URL
 * (`sender.url`), the document's origin where the browser reports it (`sender.origin`, Chrome; `"null"` for a
 * sandboxed or opaque document), and the tab's top-level page (`sender.tab.url`; the legacy Open Lines frame
 * `/desktop_app/` is same-origin and passes); a cloud portal has no explicit port, a self-hosted one exactly the
 * configured origin, port included. Otherwise it is a `foreign-document`.
 * @param extensionOrigin this extension's origin, e.g. `chrome-extension://abc…` (from `runtime.getURL('/')`).
 * @param isKnownPortal whether an https origin (port included) is a configured self-hosted portal.
 * @param isKnownHost whether a host name without port is the host of a configured self-hosted portal (so that the
 *   same host on another port is told "not available here" rather than nothing). Optional.
 */
export function classifySender(
  sender: Browser.runtime.MessageSender,
  extensionId: string,
  extensionOrigin: string,
  isKnownPortal: (origin: string) => boolean,
  isKnownHost: (host: string) => boolean = () => false,
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
  const { hostname, port } = new URL(portal);
  const cloud = isCloudPortalHost(hostname);
  if (!cloud && !isKnownPortal(portal) && !isKnownHost(hostname)) return null;

  const ownPort = cloud ? port === '' : isKnownPortal(portal);
  // Chrome reports the frame's origin separately: "null" for sandboxed and opaque documents.
  const reported = (sender as { origin?: string }).origin;
  const ownOrigin = reported === undefined || portalOfUrl(`${reported}/`) === portal;
  const top = portalOfUrl(sender.tab?.url);
  if (!ownPort || !ownOrigin || top !== portal) return { kind: 'foreign-document' };
  return { kind: 'content-script', portal, tabId, frameId: sender.frameId };
}
