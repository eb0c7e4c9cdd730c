import { type Anchor, findAnchor, hiddenOpenLines, isCheapCandidate, SELECTORS } from './portal-pages';

/**
 * Watches one document for where the Pin all control belongs: DOM in, "the anchor is now X / none" out. Plain
 * DOM code (no Preact, no extension APIs), so it is tested in happy-dom alone (`test/unit/anchor-watcher.test.ts`).
 *
 * What decides the anchor is {@link findAnchor} (and {@link isCheapCandidate} as the first filter), both from
 * `portal-pages.ts`; this module only decides *when* to ask, as cheaply as the page allows:
 *
 * - **Searching** (no anchor, or an anchor that something appearing later could outrank, like the contact
 *   center's title bar under a slider opening with Open Lines): one `childList` + `subtree` MutationObserver on
 *   the document, whose callback drops every batch {@link isCheapCandidate} rules out, and at most one check per
 *   scheduled callback (an animation frame by default). No timers, no polling.
 * - **Settled** (the anchor is an Open Lines list, which nothing appearing later outranks): the document-wide
 *   observer is dropped, so the list's own busy subtree (thousands of mutations per second on a busy portal) costs
 *   nothing. Instead, non-subtree `childList` observers on every ancestor of the anchor and on the parent of each
 *   tracked element (our host) notice the anchor, an ancestor or our host being removed or replaced (the list
 *   re-rendered, the slider closing, in-app navigation replacing the work area).
 * - In both modes a ResizeObserver on the tracked elements and on hidden Open Lines UI notices a slider hidden or
 *   shown again by a style change alone, which no childList mutation reports; `request()` is for the caller's
 *   navigation events (`wxt:locationchange`, `popstate`).
 */
export interface AnchorWatcherOptions {
  /**
   * Called after every check with the anchor found (`null`: the control goes nowhere in this document). It may be
   * the same anchor as last time: the caller re-places its host if the page moved it, and does nothing otherwise.
   */
  onAnchor: (anchor: Anchor | null) => void;
  /** Runs a callback soon, once per burst of mutations (default: the next animation frame). */
  schedule?: (callback: () => void) => void;
  /** Where the control goes (default: `findAnchor` from `portal-pages.ts`). */
  find?: (doc: Document) => Anchor | null;
  /**
   * Whether nothing that appears later in the document can outrank `anchor`, so the document-wide observer can
   * stop (default: {@link isFinalAnchor}).
   */
  isFinal?: (anchor: Anchor) => boolean;
}

/** A running watcher. */
export interface AnchorWatcher {
  /** Runs a check now (and reports it through `onAnchor`). */
  check(): void;
  /** Asks for a check on the next scheduled callback; several requests before it run one check. */
  request(): void;
  /**
   * Elements of the caller's (the control's host) whose removal, or collapsing to no size, calls for a check. Call
   * again with the new list whenever it changes (after placing the host).
   */
  track(elements: readonly Element[]): void;
  /** Disconnects every observer; no check runs or is reported any more. */
  stop(): void;
  /** The anchor of the last check, or `null`. */
  readonly anchor: Anchor | null;
  /** `searching`: document-wide observer; `settled`: ancestors only; `stopped`. For tests and the bench. */
  readonly mode: 'searching' | 'settled' | 'stopped';
}

/**
 * The default of {@link AnchorWatcherOptions.isFinal}: an Open Lines list (new or legacy) is the anchor of highest
 * rank, and of several, `findAnchor` keeps the first in document order, so a list, slider or frame appearing later
 * changes nothing. The contact center's title bar is not final: a slider with Open Lines may open over it.
 */
export function isFinalAnchor(anchor: Anchor): boolean {
  return anchor.kind !== 'contact-center';
}

/** Starts watching `doc` (document-wide until the first check): call `check()` for the first answer. */
export function watchAnchor(doc: Document, options: AnchorWatcherOptions): AnchorWatcher {
  const schedule = options.schedule ?? ((callback: () => void) => requestAnimationFrame(callback));
  const find = options.find ?? findAnchor;
  const isFinal = options.isFinal ?? isFinalAnchor;

  let anchor: Anchor | null = null;
  let tracked: readonly Element[] = [];
  /** Hidden Open Lines UI watched for becoming visible. */
  let sleepers: Element[] = [];
  /** Per element under the ResizeObserver: whether it had a size at the last report. */
  const shownBefore = new WeakMap<Element, boolean>();
  /** What the last decision depended on, all connected when it was made; rebuilt by `check`, not per mutation. */
  let watched: Element[] = [];
  let mode: AnchorWatcher['mode'] = 'searching';
  let scheduled = false;

  const mutationObserver = new MutationObserver((records) => {
    if (!scheduled && isCheapCandidate(records, watched)) request();
  });
  // An element collapses to nothing when an ancestor is hidden (a cached slider closing) and grows back when
  // shown: only those transitions call for a check, not every resize.
  const resizeObserver =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver((entries) => {
          let changed = false;
          for (const { target, contentRect } of entries) {
            const shown = contentRect.width > 0 || contentRect.height > 0;
            if (shownBefore.get(target) !== shown) {
              shownBefore.set(target, shown);
              changed = true;
            }
          }
          if (changed) request();
        })
      : null;
  /** Elements under the ResizeObserver now. */
  let resized = new Set<Element>();

  function request(): void {
    if (scheduled || mode === 'stopped') return;
    scheduled = true;
    schedule(() => {
      scheduled = false;
      if (mode !== 'stopped') check();
    });
  }

  function observeSizes(): void {
    if (!resizeObserver) return;
    const next = new Set<Element>([...tracked, ...sleepers].filter((element) => element.isConnected));
    for (const element of resized) if (!next.has(element)) resizeObserver.unobserve(element);
    for (const element of next) if (!resized.has(element)) resizeObserver.observe(element);
    resized = next;
  }

  /** Observes what the current decision depends on, in the cheapest mode that notices every change of it. */
  function arm(): void {
    if (mode === 'stopped') return;
    mutationObserver.disconnect();
    const legacyFrames = anchor
      ? []
      : Array.from(
          doc.querySelectorAll(`${SELECTORS.legacyLinesIframe},${SELECTORS.legacyLinesIframeByUrl}`),
        );
    watched = [...legacyFrames, ...(anchor ? [anchor.element] : []), ...tracked].filter(
      (element) => element.isConnected,
    );
    if (anchor && isFinal(anchor) && anchor.element.isConnected) {
      mode = 'settled';
      const parents = new Set<Node>();
      for (let node = anchor.element.parentNode; node; node = node.parentNode) parents.add(node);
      for (const element of tracked) if (element.parentNode) parents.add(element.parentNode);
      for (const node of parents) mutationObserver.observe(node, { childList: true });
    } else {
      mode = 'searching';
      mutationObserver.observe(doc, { childList: true, subtree: true });
    }
    observeSizes();
  }

  function check(): void {
    if (mode === 'stopped') return;
    anchor = find(doc);
    sleepers = hiddenOpenLines(doc);
    options.onAnchor(anchor);
    arm();
  }

  arm();

  return {
    check,
    request,
    track(elements) {
      tracked = [...elements];
      arm();
    },
    stop() {
      mode = 'stopped';
      mutationObserver.disconnect();
      resizeObserver?.disconnect();
      resized.clear();
    },
    get anchor() {
      return anchor;
    },
    get mode() {
      return mode;
    },
  };
}
