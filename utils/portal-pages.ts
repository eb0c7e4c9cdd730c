/**
 * Which DOM of a Bitrix24 portal page means "Open Lines are on screen" or "this is the contact center", and where
 * the Pin all control goes in it. Every Bitrix24 selector the extension uses lives in this file.
 *
 * Every selector says where it was seen and how strong that evidence is ({@link Evidence}, table in
 * `docs/detection.md`): read from the public source of the `im`, `imopenlines` and `intranet` modules (versions
 * 24.x to 26.x), and for some also relied on by public extensions that run on live portals. Class names are
 * internal to Bitrix24 and do change (the messenger's chat list was renamed on live portals in May 2026), so each
 * UI is recognised by several signals, any one enough, and the control's place adapts to what is there. When a
 * class changes, this file and its fixtures (`test/unit/fixtures/`) change together.
 *
 * Visible text is never matched (the Open Lines area is titled "Contact Center" in every language variant). The
 * URL is used for one thing only: the legacy Open Lines document `/desktop_app/?…IM_LINES=Y` shows nothing else.
 * Anywhere else the messenger switches to Open Lines without changing the address, and in the classic design it
 * opens in a slider over any page.
 */

/** The custom element that hosts the control's closed shadow root. Not a Bitrix24 name: ours. */
export const HOST_TAG = 'b24-pin-all';

/**
 * How strong the evidence for a selector is.
 * - `strong`: relied on by public extensions running on live portals for a year or more (releases, screenshots).
 * - `moderate`: relied on by one public extension on live portals since mid-2026.
 * - `source-only`: read from the modules' public source; no independent sign that live portals still use it.
 */
export type Evidence = 'strong' | 'moderate' | 'source-only';

/** Bitrix24 selectors, each with its source module, where it applies and its {@link Evidence} ({@link SELECTOR_EVIDENCE}). */
export const SELECTORS = {
  /* ---- the new Open Lines list (layout "openlinesV2", module `imopenlines`, component `RecentListContainer`) ---- */

  /**
   * Scroll container of the new Open Lines list, parent of its groups and items. Evidence: moderate (one public
   * extension on live portals since mid-2026); source: `imopenlines` 24.x–26.x,
   * `.bx-imol-list-recent__content > .bx-imol-list-recent__scroll-container`.
   */
  openlinesListScroll: '.bx-imol-list-recent__scroll-container',

  /**
   * One dialog of the new Open Lines list (`.--selected` when open; no dialog ID in its DOM). Evidence: moderate
   * (one public extension since mid-2026); source: `imopenlines` 24.x–26.x.
   */
  openlinesListItem: '.bx-imol-list-recent__item',

  /**
   * Group names of the new list, one class per group (new, in progress, answered). Evidence: moderate (one public
   * extension since mid-2026 finds the groups by these names); source: `imopenlines` 24.x–26.x,
   * `.bx-imol-list-recent__group-item_container > .bx-imol-list-recent__group_name_{new|work|answered}`.
   */
  openlinesGroupName:
    '.bx-imol-list-recent__group_name_new,.bx-imol-list-recent__group_name_work,.bx-imol-list-recent__group_name_answered',

  /**
   * Root of the new Open Lines list: `.bx-imol-list-container-recent__container.bx-imol-messenger__scope`.
   * Evidence: source-only (`imopenlines` 24.x–26.x). The control goes first in it when it has no header.
   */
  openlinesListContainer: '.bx-imol-list-container-recent__container',

  /**
   * Header of the new Open Lines list, holding the title (older builds) or the search input (newer builds); the
   * control goes right after it. Evidence: source-only (`imopenlines` 24.x–26.x, "stable across versions").
   * Applies in the messenger on `/online/` and in the messenger slider over any page. The new list is off by
   * default (`imopenlines` option `v2_activated`, per user `?IMOPENLINES_V2=Y|N`): most portals show the legacy
   * frame below instead.
   */
  openlinesListHeader: '.bx-imol-list-container-recent__header_container',

  /**
   * The messenger's list column (`.bx-im-messenger__layout_content > .bx-im-messenger__list_container`), where the
   * new Open Lines list mounts. Never a signal by itself (the chat list mounts there too): the top of this column
   * is the control's place when the list shows neither its container nor its header. Evidence: source-only (`im`
   * 24.x–26.x).
   */
  messengerListColumn: '.bx-im-messenger__list_container',

  /**
   * The messenger's root, `.bx-im-messenger__scope.bx-im-messenger__container`; in the 2026 "Air" design it also
   * carries the modifier class `--air` (and a top menu replaces its left navigation). Never a signal by itself;
   * read only for the page signature. Evidence: source-only (`im` 24.x–26.x); the `--air` modifier: moderate (a
   * public extension since mid-2026).
   */
  messengerRoot: '.bx-im-messenger__container',

  /* ---- the legacy Open Lines UI (module `im`, classic messenger), its own document ---- */

  /**
   * The legacy Open Lines list inside its own document, `/desktop_app/?IFRAME=Y&IM_LINES=Y&IM_MENU=N&…`:
   * `.bx-messenger-box-contact > .bx-messenger-cl.bx-messenger-recent-lines-container > .bx-messenger-recent-wrap.bx-messenger-recent-lines-wrap`.
   * Evidence: strong (two public extensions, a year of releases); source: `im` 24.x–26.x.
   */
  legacyLinesWrap: '.bx-messenger-recent-lines-wrap',

  /**
   * One dialog of a legacy list (`.bx-messenger-cl-item.bx-messenger-cl-id-chatNNN[data-userId="chatNNN"]`). The
   * classic chat list uses it too, so it means Open Lines only inside the Open Lines document. Evidence: strong
   * (two public extensions); source: `im` 24.x–26.x.
   */
  legacyLinesItem: '.bx-messenger-cl-item[data-userid]',

  /**
   * The legacy list's scroll container, parent of {@link SELECTORS.legacyLinesWrap}; the control goes before it.
   * Evidence: source-only (`im` 24.x–26.x).
   */
  legacyLinesContainer: '.bx-messenger-recent-lines-container',

  /**
   * The legacy list's column (search box, then the list): `.bx-messenger-box > .bx-messenger-box-contact`. The
   * control goes first in it when the list itself is not recognised. Evidence: source-only (`im` 24.x–26.x).
   */
  legacyContactColumn: '.bx-messenger-box-contact',

  /* ---- the document that holds the legacy frame ---- */

  /**
   * The frame that shows the legacy Open Lines UI inside the messenger (module `im`, layout "openlines",
   * `.bx-im-messenger__openlines_container > .bx-im-content-openlines__container > iframe`). The frame's own
   * document hosts the control; the document holding the iframe shows none for Open Lines. After the operator
   * leaves Open Lines the iframe stays mounted but hidden. Evidence: source-only (`im` 24.x–26.x).
   */
  legacyLinesIframe: 'iframe.bx-im-content-openlines__iframe',

  /**
   * The same frame found by its address, the legacy Open Lines document (see {@link isLegacyLinesDocument}).
   * Evidence: strong (two public extensions find the frame by this URL).
   */
  legacyLinesIframeByUrl: 'iframe[src*="/desktop_app/"][src*="IM_LINES=Y"]',

  /* ---- the contact center page (module `intranet`) ---- */

  /**
   * The contact center page's main block (`/contact_center/` on cloud, `/services/contact_center/` on
   * self-hosted): `.intranet-contact-block > #intranet-contact-wrap > #intranet-contact-list`. Proves the page is
   * the contact center; the toolbar alone does not (it is on most portal pages). Evidence: source-only
   * (`intranet` 24.x–26.x).
   */
  contactCenterWrap: '.intranet-contact-block > #intranet-contact-wrap',

  /**
   * Buttons beside the page title (module `ui`, toolbar `#uiToolbarContainer.ui-toolbar`): where the control goes
   * on the contact center page. Present on most portal pages, so never a signal by itself. Evidence: source-only
   * (`ui` 24.x–26.x).
   */
  toolbarRightButtons: '#uiToolbarContainer .ui-toolbar-right-buttons',
} as const;

/** Name of one of {@link SELECTORS}. */
export type SelectorName = keyof typeof SELECTORS;

/** The {@link Evidence} for each of {@link SELECTORS}, as stated in its docstring and in `docs/detection.md`. */
export const SELECTOR_EVIDENCE: Readonly<Record<SelectorName, Evidence>> = {
  openlinesListScroll: 'moderate',
  openlinesListItem: 'moderate',
  openlinesGroupName: 'moderate',
  openlinesListContainer: 'source-only',
  openlinesListHeader: 'source-only',
  messengerListColumn: 'source-only',
  messengerRoot: 'source-only',
  legacyLinesWrap: 'strong',
  legacyLinesItem: 'strong',
  legacyLinesContainer: 'source-only',
  legacyContactColumn: 'source-only',
  legacyLinesIframe: 'source-only',
  legacyLinesIframeByUrl: 'strong',
  contactCenterWrap: 'source-only',
  toolbarRightButtons: 'source-only',
};

/** The modifier class of the messenger's root in the "Air" design (see {@link SELECTORS.messengerRoot}). */
export const AIR_MODIFIER = '--air';

/** Signals of the new Open Lines list, strongest evidence first; any one is enough. */
const NEW_LIST_SIGNALS = [
  SELECTORS.openlinesListScroll,
  SELECTORS.openlinesListItem,
  SELECTORS.openlinesGroupName,
  SELECTORS.openlinesListContainer,
  SELECTORS.openlinesListHeader,
].join(',');

/** Documents holding the legacy frame, by either signal. */
const LEGACY_FRAME = [SELECTORS.legacyLinesIframeByUrl, SELECTORS.legacyLinesIframe].join(',');

/**
 * The selectors whose appearance in an added subtree can change {@link findAnchor}'s answer: the structure of
 * each UI. Items and group names ({@link ITEM_SIGNALS}) are left out because a busy list re-creates them all the
 * time; {@link isCheapCandidate} treats them apart.
 */
export const ANCHOR_SIGNALS: string = [
  SELECTORS.openlinesListScroll,
  SELECTORS.openlinesListContainer,
  SELECTORS.openlinesListHeader,
  SELECTORS.legacyLinesWrap,
  SELECTORS.legacyLinesContainer,
  SELECTORS.legacyContactColumn,
  SELECTORS.legacyLinesIframe,
  SELECTORS.legacyLinesIframeByUrl,
  '#intranet-contact-wrap',
  SELECTORS.toolbarRightButtons,
  '.ui-toolbar-right-buttons',
].join(',');

/**
 * List items and group names: signals of a list when nothing of its structure is recognised, so their appearance
 * matters only outside a list structure already known ({@link KNOWN_LISTS}).
 */
export const ITEM_SIGNALS: string = [
  SELECTORS.openlinesListItem,
  SELECTORS.openlinesGroupName,
  SELECTORS.legacyLinesItem,
].join(',');

/** Every signal, structural or item-like: one query over an added subtree finds either. */
const ALL_SIGNALS = `${ANCHOR_SIGNALS},${ITEM_SIGNALS}`;

/** List structures whose items' comings and goings cannot change the decision. */
const KNOWN_LISTS = [
  SELECTORS.openlinesListScroll,
  SELECTORS.openlinesListContainer,
  SELECTORS.legacyLinesWrap,
  SELECTORS.legacyLinesContainer,
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

function firstRendered(root: Document | Element, selector: string): Element | null {
  for (const element of root.querySelectorAll(selector)) {
    if (!element.closest(HOST_TAG) && isRendered(element)) return element;
  }
  return null;
}

/**
 * Whether `doc` is the legacy Open Lines document: path `/desktop_app/` with `IM_LINES=Y` in the query (module
 * `im`; the messenger loads it as `/desktop_app/?IFRAME=Y&IM_LINES=Y&IM_MENU=N&…`). Evidence: strong (two public
 * extensions recognise the frame by this URL). The document shows only Open Lines, whichever classes it uses.
 */
export function isLegacyLinesDocument(doc: Document): boolean {
  let url: URL;
  try {
    url = new URL(doc.URL);
  } catch {
    return false;
  }
  return (
    /^\/desktop_app(\/|$)/i.test(url.pathname) && url.searchParams.get('IM_LINES')?.toUpperCase() === 'Y'
  );
}

/**
 * Whether `doc` is shown in a frame that is itself hidden: the messenger keeps the legacy Open Lines iframe
 * mounted but hidden after the operator leaves Open Lines. `false` for a top document or a cross-origin frame.
 */
export function isInHiddenFrame(doc: Document): boolean {
  let frame: Element | null = null;
  try {
    frame = doc.defaultView?.frameElement ?? null;
  } catch {
    return false;
  }
  return frame !== null && !isRendered(frame);
}

/**
 * The new Open Lines list, when on screen. Placement, by what is there: right after the header; first in the
 * list's container; first in the messenger's list column; just before the scroll container; just before the first
 * group (or item).
 */
function newListAnchor(doc: Document): Anchor | null {
  const signal = firstRendered(doc, NEW_LIST_SIGNALS);
  if (!signal) return null;
  const at = (element: Element, place: Anchor['place']): Anchor => ({
    kind: 'openlines-list',
    element,
    place,
    compact: true,
  });
  const container = signal.closest(SELECTORS.openlinesListContainer);
  const header = firstRendered(container ?? doc, SELECTORS.openlinesListHeader);
  if (header) return at(header, 'after');
  if (container) return at(container, 'prepend');
  const column = signal.closest(SELECTORS.messengerListColumn);
  if (column) return at(column, 'prepend');
  const scroll = signal.closest(SELECTORS.openlinesListScroll);
  if (scroll) return at(scroll, 'before');
  return at(signal.closest('.bx-imol-list-recent__group-item_container') ?? signal, 'before');
}

/**
 * The legacy Open Lines list, when this document shows it: just before the list's scroll container (below the
 * search box); else first in the list's column; else, in the Open Lines document only, first in its body.
 */
function legacyListAnchor(doc: Document): Anchor | null {
  const at = (element: Element, place: Anchor['place']): Anchor => ({
    kind: 'legacy-openlines-list',
    element,
    place,
    compact: true,
  });
  const wrap = firstRendered(doc, SELECTORS.legacyLinesWrap);
  if (wrap) return at(wrap.closest(SELECTORS.legacyLinesContainer) ?? wrap, 'before');
  if (!isLegacyLinesDocument(doc)) return null;
  const container = firstRendered(doc, SELECTORS.legacyLinesContainer);
  if (container) return at(container, 'before');
  const column = firstRendered(doc, SELECTORS.legacyContactColumn);
  if (column) return at(column, 'prepend');
  const item = firstRendered(doc, SELECTORS.legacyLinesItem);
  if (item?.parentElement) return at(item.parentElement, 'before');
  return doc.body && isRendered(doc.body) ? at(doc.body, 'prepend') : null;
}

/**
 * Decides where the one Pin all control goes in this document, or `null` when it goes nowhere here.
 *
 * 0. Nowhere when this document is shown in a hidden frame (the legacy frame after leaving Open Lines).
 * 1. The new Open Lines list on screen, recognised by any of its scroll container, items, group names, container
 *    or header: right after the header, else at the top of the list column.
 * 2. The legacy Open Lines list (its wrap, or this document being the `/desktop_app/?…IM_LINES=Y` Open Lines
 *    document): just before the list, below the search box; else at the top of the list column.
 * 3. Otherwise, when this document shows the legacy Open Lines iframe: nowhere (the frame hosts the control).
 * 4. Otherwise, on the contact center page (its main block, not merely a toolbar): first in the title bar's
 *    right-hand buttons.
 *
 * Hidden UI (a cached, closed slider) never counts. Pure: reads the DOM and the document's address, changes
 * nothing.
 */
export function findAnchor(doc: Document): Anchor | null {
  if (isInHiddenFrame(doc)) return null;
  const list = newListAnchor(doc) ?? legacyListAnchor(doc);
  if (list) return list;
  if (firstRendered(doc, LEGACY_FRAME)) return null;
  if (firstRendered(doc, SELECTORS.contactCenterWrap)) {
    const buttons = firstRendered(doc, SELECTORS.toolbarRightButtons);
    if (buttons) return { kind: 'contact-center', element: buttons, place: 'prepend', compact: false };
  }
  return null;
}

/**
 * Open Lines UI that is in this document but hidden (a cached, closed slider, or this whole document in a hidden
 * frame): showing it again may change nothing but a style, so the caller watches these for becoming visible (e.g.
 * with a ResizeObserver).
 */
export function hiddenOpenLines(doc: Document): Element[] {
  if (isInHiddenFrame(doc)) return doc.documentElement ? [doc.documentElement] : [];
  const selector = [
    SELECTORS.openlinesListContainer,
    SELECTORS.openlinesListHeader,
    SELECTORS.openlinesListScroll,
    SELECTORS.legacyLinesWrap,
    LEGACY_FRAME,
  ].join(',');
  return Array.from(doc.querySelectorAll(selector)).filter((element) => !isRendered(element));
}

/** Whether `node` is, or is inside, a control host of ours (in the light DOM). */
function isOwnNode(node: Node): boolean {
  const element = node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
  return element?.closest(HOST_TAG) != null;
}

/** Whether an added item-like element sits inside a list structure that was already there to be seen. */
function inKnownList(parent: Node): boolean {
  const element = parent.nodeType === 1 ? (parent as Element) : parent.parentElement;
  return element?.closest(KNOWN_LISTS) != null;
}

/**
 * The observer's first, cheap filter: whether a batch of DOM mutations can change where the control belongs.
 * Text-only changes (counters, message previews, timers) and our own host's insertions never can. An added
 * element matters when it is, or contains, one of {@link ANCHOR_SIGNALS} (a query over the added subtree only),
 * or one of {@link ITEM_SIGNALS} outside a list structure already in the document (a list recognised by its items
 * alone). A removal matters only when one of `watched` (the current anchor, our host, whatever the last decision
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
    let known: boolean | undefined;
    for (let n = 0; n < added.length; n++) {
      const node = added[n]!;
      if (node.nodeType !== 1) continue; // Node.ELEMENT_NODE
      const element = node as Element;
      if (element.localName === HOST_TAG) continue;
      if (element.matches(ANCHOR_SIGNALS)) return true;
      const item =
        element.matches(ITEM_SIGNALS) ||
        (element.firstElementChild !== null && element.querySelector(ALL_SIGNALS) !== null);
      if (!item) continue;
      // Re-created items of a list already seen are the common case on a busy list: one ancestor walk per record.
      // A target that has left the document since (a group re-created after its item) changes nothing.
      known ??= !record.target.isConnected || inKnownList(record.target);
      if (!known) return true;
      if (element.firstElementChild !== null && element.querySelector(ANCHOR_SIGNALS) !== null) return true;
    }
  }
  return false;
}

/**
 * What a maintainer needs to turn a page without a control into a fix and a fixture: which known selectors match,
 * the class names of the messenger's containers, and the messenger's generation when the page names it. Holds no
 * text, no element IDs, no attribute values and no digits from class names (digits become `N`): nothing about
 * the user or the dialogs.
 */
export interface PageSignature {
  /** Each of {@link SELECTORS} that matches here, with its evidence and whether any match is rendered. */
  matched: { name: SelectorName; evidence: Evidence; rendered: boolean }[];
  /** Distinct class names of the messenger's, the list's and the contact center's containers, sorted. */
  containerClasses: string[];
  /** Whether the messenger has the "Air" design (its root carries {@link AIR_MODIFIER}). */
  air: boolean;
  /** Whether this is the legacy Open Lines document ({@link isLegacyLinesDocument}). */
  legacyLinesDocument: boolean;
  /** Whether this document is shown in a hidden frame ({@link isInHiddenFrame}). */
  inHiddenFrame: boolean;
  /** What {@link findAnchor} decided: its kind and place, or `null`. */
  anchor: Pick<Anchor, 'kind' | 'place'> | null;
  /**
   * The messenger's generation as the page's script addresses name it (`im/v2` from `/bitrix/js/im/v2/…`), or
   * `null`: a Bitrix24 page states no product version a content script can read without running page scripts.
   */
  version: string | null;
}

/** Prefixes of the class names a signature keeps: the messenger, Open Lines, the slider, the contact center. */
const SIGNATURE_PREFIXES = /^(bx-im|bx-imol|bx-messenger|bx-desktop|side-panel|intranet-contact|ui-toolbar)/;
/** Elements whose classes a signature reads: containers only (elements with element children). */
const SIGNATURE_ELEMENTS =
  '[class*="bx-im"],[class*="bx-messenger"],[class*="bx-desktop"],[class*="side-panel"],[class*="intranet-contact"],[class*="ui-toolbar"]';
/** At most this many class names in a signature. */
const SIGNATURE_MAX_CLASSES = 200;

/**
 * Computes the {@link PageSignature} of a document. Pure: reads the DOM and the document's address (only to say
 * whether it is the legacy Open Lines document), changes nothing. Reads every element of the messenger once: call
 * it on demand, not from a mutation observer.
 */
export function pageSignature(doc: Document): PageSignature {
  const matched: PageSignature['matched'] = [];
  for (const name of Object.keys(SELECTORS) as SelectorName[]) {
    const elements = Array.from(doc.querySelectorAll(SELECTORS[name])).filter((e) => !e.closest(HOST_TAG));
    if (elements.length === 0) continue;
    matched.push({ name, evidence: SELECTOR_EVIDENCE[name], rendered: elements.some(isRendered) });
  }
  const classes = new Set<string>();
  for (const element of doc.querySelectorAll(SIGNATURE_ELEMENTS)) {
    if (element.firstElementChild === null || element.closest(HOST_TAG)) continue;
    const tokens = Array.from(element.classList);
    const family = tokens.some((t) => SIGNATURE_PREFIXES.test(t));
    for (const token of tokens) {
      if (!(SIGNATURE_PREFIXES.test(token) || (family && token.startsWith('--')))) continue;
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(token)) continue;
      classes.add(token.replace(/\d+/g, 'N'));
    }
    if (classes.size >= SIGNATURE_MAX_CLASSES) break;
  }
  const anchor = findAnchor(doc);
  let version: string | null = null;
  for (const script of doc.querySelectorAll('script[src*="/bitrix/js/im/"]')) {
    const generation = /\/bitrix\/js\/im\/(v\d+)\//.exec(script.getAttribute('src') ?? '')?.[1];
    if (generation) {
      version = `im/${generation}`;
      break;
    }
  }
  return {
    matched,
    containerClasses: [...classes].sort(),
    air: Array.from(doc.querySelectorAll(SELECTORS.messengerRoot)).some((e) =>
      e.classList.contains(AIR_MODIFIER),
    ),
    legacyLinesDocument: isLegacyLinesDocument(doc),
    inHiddenFrame: isInHiddenFrame(doc),
    anchor: anchor ? { kind: anchor.kind, place: anchor.place } : null,
    version,
  };
}
