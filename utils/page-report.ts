import * as v from 'valibot';
import { type Browser, browser } from 'wxt/browser';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { PageReport, PageReportRequest } from './messaging';
import { HOST_TAG, pageSignature } from './portal-pages';

/**
 * "Is the Pin all control on this page?", answered by the content script of a portal tab's top frame for the
 * popup, with the page's signature when it is not (issue 14: a miss is visible).
 *
 * Why the top frame gathers its frames itself: the one frame that matters besides the top document, the legacy
 * Open Lines list, is a same-origin iframe, and a same-origin frame's document is readable from the top document's
 * content script (`iframe.contentDocument`). `tabs.sendMessage` to the whole tab would take only the first frame's
 * answer; asking each frame needs their IDs (`webNavigation`, a permission the extension does not ask for) or
 * `scripting.executeScript` of a second bundle. Cross-origin frames are not portal pages and are left out.
 */

/** At most this many documents in a report (the top one and same-origin frames, depth first). */
const MAX_DOCUMENTS = 20;

/** The top document and every same-origin frame document in it, depth first; cross-origin frames are skipped. */
function sameOriginDocuments(doc: Document): Document[] {
  const out: Document[] = [];
  const walk = (d: Document) => {
    if (out.length >= MAX_DOCUMENTS) return;
    out.push(d);
    for (const frame of d.querySelectorAll('iframe, frame')) {
      let child: Document | null = null;
      try {
        child = (frame as HTMLIFrameElement).contentDocument;
      } catch {
        child = null; // cross-origin
      }
      if (child?.documentElement) walk(child);
    }
  };
  walk(doc);
  return out;
}

/**
 * What the popup gets to know about the page in `doc` (a portal tab's top document): whether any of its documents
 * holds a Pin all control (our host element), and each document's `PageSignature`. Pure: reads the DOM only.
 */
export function pageReport(doc: Document): PageReport {
  const docs = sameOriginDocuments(doc);
  return {
    hasControl: docs.some((d) => d.querySelector(HOST_TAG) !== null),
    documents: docs.map(pageSignature),
  };
}

/** What {@link createPageReportListener} needs. */
export interface PageReportDeps {
  /** This extension's ID (`runtime.id`). */
  runtimeId: string;
  /** This extension's origin, e.g. `chrome-extension://abc…` (`runtime.getURL('/')` without the slash). */
  extensionOrigin: string;
  /** The document to report on (the content script's own). */
  doc: Document;
}

/**
 * Creates the content script's `runtime.onMessage` listener for {@link PageReportRequest}. It answers only this
 * extension's own pages: a message from this extension (`sender.id`) sent by a document of the extension's origin
 * (`sender.url`; a content script's is its page's address), valid by the protocol's schema, and only in the top
 * frame. `sender.tab` is not asked: Firefox sets it for an extension page shown in a tab, and the origin already
 * tells an extension page from a content script. Anything else gets no answer (undefined), so other listeners (and
 * other frames) can answer their own messages.
 */
export function createPageReportListener(
  deps: PageReportDeps,
): (message: unknown, sender: Browser.runtime.MessageSender) => Promise<PageReport> | undefined {
  return (message, sender) => {
    if (!v.is(PageReportRequest, message)) return undefined;
    if (sender.id !== deps.runtimeId) return undefined;
    if (!sender.url?.startsWith(`${deps.extensionOrigin}/`)) return undefined;
    const view = deps.doc.defaultView;
    if (view && view !== view.top) return undefined;
    return Promise.resolve(pageReport(deps.doc));
  };
}

/** Answers the popup's {@link PageReportRequest} in this frame (the top one) for as long as `ctx` lives. */
export function startPageReports(ctx: Pick<ContentScriptContext, 'isInvalid' | 'onInvalidated'>): void {
  if (ctx.isInvalid) return;
  const listener = createPageReportListener({
    runtimeId: browser.runtime.id,
    extensionOrigin: browser.runtime.getURL('/').replace(/\/$/, ''),
    doc: document,
  });
  browser.runtime.onMessage.addListener(listener);
  ctx.onInvalidated(() => {
    try {
      browser.runtime.onMessage.removeListener(listener);
    } catch {
      // The runtime is already gone.
    }
  });
}

/**
 * The text "Copy page signature" puts on the clipboard: one line of JSON a maintainer can paste into an issue,
 * naming its format, the extension's version and each document's signature (the top one first).
 */
export function signatureText(report: PageReport, extensionVersion: string): string {
  return JSON.stringify({
    pinAllPageSignature: 1,
    extension: extensionVersion,
    documents: report.documents,
  });
}

/** What {@link askPageReport} needs: the popup passes the browser's, unit tests fakes. */
export interface AskPageReportDeps {
  /** The active tab of the popup's window. */
  activeTab(): Promise<{ id?: number; url?: string } | undefined>;
  /** `tabs.sendMessage` to one frame of a tab. */
  sendToFrame(tabId: number, message: unknown, frameId: number): Promise<unknown>;
}

/**
 * Asks the active tab's top frame for its {@link PageReport}. Resolves with `null` when there is nothing to ask
 * (no tab, not an https page) or no valid answer (no content script there: not a portal page, the page still
 * loading, or the extension reloaded under it). Never rejects.
 */
export async function askPageReport(deps: AskPageReportDeps): Promise<PageReport | null> {
  try {
    const tab = await deps.activeTab();
    if (tab?.id === undefined || !tab.url?.startsWith('https://')) return null;
    const request: PageReportRequest = { type: 'pageReport' };
    const answer = await deps.sendToFrame(tab.id, request, 0);
    const parsed = v.safeParse(PageReport, answer);
    return parsed.success ? parsed.output : null;
  } catch {
    return null;
  }
}
