/**
 * Which DOM of a Bitrix24 portal page means "Open Lines are on screen" or "this is the contact center", and where
 * the Pin all control goes in it. Every Bitrix24 selector the extension uses lives in this file.
 *
 * Source of every selector: `shared/bitrix24-rest.md`, "Pages of the web UI", read from the public mirrors of the
 * `im`, `imopenlines` and `intranet` modules, versions 24.x to 26.x; never seen on a live portal. Class names are
 * internal to Bitrix24 and may change: when one does, this file and its fixtures (`test/unit/fixtures/`) change
 * together. The URL is never used to decide: the messenger switches to Open Lines without changing the address,
 * and in the classic design it opens in a slider over any page. Visible text is never matched either: the Open
 * Lines area is titled "Contact Center" in every language variant.
 */

/** The custom element that hosts the control's closed shadow root. Not a Bitrix24 name: ours. */
export const HOST_TAG = 'b24-pin-all';

/** Bitrix24 selectors, each with its source module and where it applies. */
export const SELECTORS = {
  /**
   * Header of the new Open Lines list (layout "openlinesV2"), holding the title (older builds) or the search
   * input (newer builds). Module `imopenlines`, component `RecentListContainer`
   * (`.bx-imol-list-container-recent__container.bx-imol-messenger__scope`), 24.x–26.x: "stable across versions,
   * the natural anchor". Applies in the messenger on `/online/` and in the messenger slider over any page. The
   * new list is off by default (an `imopenlines` option); most portals show the legacy frame below instead.
   */
  openlinesListHeader: '.bx-imol-list-container-recent__header_container',

  /**
   * The legacy Open Lines list inside its own document, `/desktop_app/?IFRAME=Y&IM_LINES=Y&IM_MENU=N&…`
   * (module `im`, classic messenger, 24.x–26.x):
   * `.bx-messenger-box-contact > .bx-messenger-cl.bx-messenger-recent-lines-container > .bx-messenger-recent-wrap.bx-messenger-recent-lines-wrap`.
   */
  legacyLinesWrap: '.bx-messenger-recent-lines-wrap',
  /** The legacy list's scroll container, parent of {@link SELECTORS.legacyLinesWrap}; the control goes before it. */
  legacyLinesContainer: '.bx-messenger-recent-lines-container',

  /**
   * The frame that shows the legacy Open Lines UI inside the messenger (module `im`, layout "openlines",
   * `.bx-im-messenger__openlines_container > .bx-im-content-openlines__container > iframe`, 24.x–26.x).
   * The frame's own document hosts the control; the document holding the iframe shows none for Open Lines.
   */
  legacyLinesIframe: 'iframe.bx-im-content-openlines__iframe',

  /**
   * The contact center page's main block (module `intranet`, `/contact_center/` on cloud,
   * `/services/contact_center/` on self-hosted, 24.x–26.x):
   * `.intranet-contact-block > #intranet-contact-wrap > #intranet-contact-list`. Proves the page is the contact
   * center; the toolbar alone does not (it is on most portal pages).
   */
  contactCenterWrap: '.intranet-contact-block > #intranet-contact-wrap',

  /**
   * Buttons beside the page title (module `ui`, toolbar `#uiToolbarContainer.ui-toolbar`, 24.x–26.x): where the
   * control goes on the contact center page. Present on most portal pages, so never a signal by itself.
   */
  toolbarRightButtons: '#uiToolbarContainer .ui-toolbar-right-buttons',
} as const;

/**
 * Every selector whose appearance can change {@link findAnchor}'s answer; an added subtree that matches none
 * cannot matter.
 */
export const ANCHOR_SIGNALS: string = [
  SELECTORS.openlinesListHeader,
  SELECTORS.legacyLinesWrap,
  SELECTORS.legacyLinesIframe,
  '#intranet-contact-wrap',
  SELECTORS.toolbarRightButtons,
  '.ui-toolbar-right-buttons',
].join(',');

/** Where the control goes in one document. */
export interface Anchor {
  /** Which UI the control belongs to. */
  kind: 'openlines-list' | 'legacy-openlines-list' | 'contact-center';
  /** The element the control is placed relative to. */
  element: Element;
  /**
   * How: as its last child (`append`), as its first child (`prepend`), as the sibling just before it (`before`)
   * or just after it (`after`).
   */
  place: 'append' | 'prepend' | 'before' | 'after';
  /** Whether the place is a narrow list column (the control then stacks its status under the button). */
  compact: boolean;
}

/**
 * Whether an element takes part in the page's layout (no `display:none` on it or an ancestor): a cached, closed
 * messenger slider keeps its DOM but hides it.
 */
function isRendered(element: Element): boolean {
  if (!element.isConnected) return false;
  return typeof element.checkVisibility === 'function' ? element.checkVisibility() : true;
}

function firstRendered(doc: Document, selector: string): Element | null {
  for (const element of doc.querySelectorAll(selector)) {
    if (!element.closest(HOST_TAG) && isRendered(element)) return element;
  }
  return null;
}

/**
 * Decides where the one Pin all control goes in this document, or `null` when it goes nowhere here.
 *
 * 1. The new Open Lines list on screen: in a row right after its header.
 * 2. The legacy Open Lines list (this document is the `/desktop_app/?IFRAME=Y&IM_LINES=Y` frame): in a row just
 *    before the list, below the search box.
 * 3. Otherwise, when this document holds the legacy Open Lines iframe: nowhere (the frame hosts the control).
 * 4. Otherwise, on the contact center page (its main block, not merely a toolbar): first in the title bar's
 *    right-hand buttons.
 *
 * Pure: reads the DOM, changes nothing.
 */
export function findAnchor(doc: Document): Anchor | null {
  const header = firstRendered(doc, SELECTORS.openlinesListHeader);
  if (header) return { kind: 'openlines-list', element: header, place: 'after', compact: true };

  const legacyWrap = firstRendered(doc, SELECTORS.legacyLinesWrap);
  if (legacyWrap) {
    const container = legacyWrap.closest(SELECTORS.legacyLinesContainer);
    return {
      kind: 'legacy-openlines-list',
      element: container ?? legacyWrap,
      place: 'before',
      compact: true,
    };
  }

  if (firstRendered(doc, SELECTORS.legacyLinesIframe)) return null;

  if (firstRendered(doc, SELECTORS.contactCenterWrap)) {
    const buttons = firstRendered(doc, SELECTORS.toolbarRightButtons);
    if (buttons) return { kind: 'contact-center', element: buttons, place: 'prepend', compact: false };
  }
  return null;
}

/**
 * Open Lines UI that is in this document but hidden (a cached, closed slider): showing it again may change
 * nothing but a style, so the caller watches these for becoming visible (e.g. with a ResizeObserver).
 */
export function hiddenOpenLines(doc: Document): Element[] {
  const selector = [
    SELECTORS.openlinesListHeader,
    SELECTORS.legacyLinesWrap,
    SELECTORS.legacyLinesIframe,
  ].join(',');
  return Array.from(doc.querySelectorAll(selector)).filter((element) => !isRendered(element));
}

/** Whether `node` is, or is inside, a control host of ours (in the light DOM). */
function isOwnNode(node: Node): boolean {
  const element = node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
  return element?.closest(HOST_TAG) != null;
}

/**
 * The observer's first, cheap filter: whether a batch of DOM mutations can change where the control belongs.
 * Text-only changes (counters, message previews, timers) and our own host's insertions never can. An added
 * element matters only when it is, or contains, one of {@link ANCHOR_SIGNALS} (a query over the added subtree
 * only). A removal matters only when one of `watched` (the current anchor, our host, whatever the last decision
 * depended on; all connected when the decision was made) is no longer connected.
 */
export function isCheapCandidate(
  mutations: readonly MutationRecord[],
  watched: readonly Element[] = [],
): boolean {
  // Removals: once per batch, whether something the last decision depended on has left the document (a removed
  // watched element, or one inside a removed subtree, is no longer connected). Scanning every removed node
  // instead cost more than the rest of the callback on a busy list (bench: 5,000 mutations per second).
  for (let i = 0; i < watched.length; i++) if (!watched[i]!.isConnected) return true;
  for (let r = 0; r < mutations.length; r++) {
    const record = mutations[r]!;
    const added = record.addedNodes;
    if (added.length === 0 || isOwnNode(record.target)) continue;
    for (let n = 0; n < added.length; n++) {
      const node = added[n]!;
      if (node.nodeType !== 1) continue; // Node.ELEMENT_NODE
      const element = node as Element;
      if (element.localName === HOST_TAG) continue;
      if (element.matches(ANCHOR_SIGNALS)) return true;
      if (element.firstElementChild !== null && element.querySelector(ANCHOR_SIGNALS) !== null) return true;
    }
  }
  return false;
}
