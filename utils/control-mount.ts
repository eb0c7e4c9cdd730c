import { h, render } from 'preact';
import { safeParse } from 'valibot';
import { browser } from 'wxt/browser';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import {
  type ControlState,
  type ControlStatus,
  controlTexts,
  PinAllControl,
} from '@/components/PinAllControl';
import type { UndoRefusal } from './bitrix24/unpin';
import { ContentMessage, sendToBackground } from './messaging';
import { type PinOutcome, UNDO_WINDOW_MS } from './outcome';
import { outcomeLine, undoRefusalText } from './outcome-text';
import { pinsAsText } from './pins-as';
import {
  type Anchor,
  findAnchor,
  HOST_TAG,
  hiddenOpenLines,
  isCheapCandidate,
  SELECTORS,
} from './portal-pages';

/**
 * Keeps exactly one Pin all control in this document, at the place {@link findAnchor} chooses, for as long as
 * the content script's context lives; then leaves it disabled with "reload the page" (X2).
 *
 * - One control per document (X3): a newly started instance first removes every host an older instance left
 *   (WXT invalidates the older instance's context when a newer one starts in the same document); should a
 *   newer instance's host ever appear, this one retires.
 * - Cheap on pages without Open Lines: one MutationObserver (childList + subtree), whose callback drops every
 *   batch {@link isCheapCandidate} rules out, and at most one {@link findAnchor} per animation frame. No
 *   timers, no polling.
 * - Follows the page: re-mounted when the anchor is re-rendered or replaced, moved when the anchor changes,
 *   removed when it leaves (X4 navigation, X14 slider closing). A ResizeObserver on the host and on hidden Open
 *   Lines UI notices a slider being hidden or shown again by a style change alone, which no childList
 *   mutation reports.
 * - The host is a custom element with a closed shadow root; the control's CSS is passed in (the content
 *   script imports `components/pin-all-control.css?inline`), so nothing is fetched and no extension file is
 *   exposed to pages. WXT's `createShadowRootUi` is not used: it removes the UI when the context is
 *   invalidated, where the control must stay and say "reload the page".
 */
export interface ControlMountOptions {
  /** CSS text for the shadow root. */
  css: string;
  /** Sends a message to the background (tests pass a fake). */
  send?: typeof sendToBackground;
  /** Runs a callback soon, once per burst of mutations (default: the next animation frame). */
  schedule?: (callback: () => void) => void;
}

/** What the running instance exposes, for tests. */
export interface ControlMount {
  /** Runs the anchor check now instead of on the next frame. */
  checkNow(): void;
  /** The anchor the control is mounted at, or `null`. */
  readonly anchor: Anchor | null;
}

/** The subset of WXT's content script context this module uses. */
type Ctx = Pick<ContentScriptContext, 'isInvalid' | 'onInvalidated' | 'addEventListener'>;

const INVALIDATED = /extension context invalidated|receiving end does not exist|context invalidated/i;

/** Whether a failed `sendMessage` means the extension is gone from under this page (reloaded, updated, removed). */
export function isContextGone(error: unknown): boolean {
  try {
    if (browser.runtime?.id == null) return true;
  } catch {
    return true;
  }
  return INVALIDATED.test(error instanceof Error ? error.message : String(error));
}

function isOutcome(value: unknown): value is PinOutcome {
  return typeof value === 'object' && value !== null && typeof (value as PinOutcome).ok === 'boolean';
}

/** Whether the host sits where the anchor wants it (another node slipped in between is fine). */
function isPlaced(host: Element, anchor: Anchor): boolean {
  if (!host.isConnected) return false;
  const { element, place } = anchor;
  if (place === 'append' || place === 'prepend') return host.parentNode === element;
  if (host.parentNode !== element.parentNode) return false;
  const position = host.compareDocumentPosition(element);
  return place === 'before'
    ? (position & Node.DOCUMENT_POSITION_FOLLOWING) !== 0
    : (position & Node.DOCUMENT_POSITION_PRECEDING) !== 0;
}

function insert(host: Element, { element, place }: Anchor): void {
  if (place === 'append') element.append(host);
  else if (place === 'prepend') element.prepend(host);
  else if (place === 'before') element.before(host);
  else element.after(host);
}

/** Starts the control for this document. Everything it sets up ends with `ctx`. */
export function startPinAllControl(ctx: Ctx, options: ControlMountOptions): ControlMount {
  const send = options.send ?? sendToBackground;
  const schedule = options.schedule ?? ((callback: () => void) => requestAnimationFrame(callback));
  const doc = document;
  const instance = Math.random().toString(36).slice(2);
  const texts = controlTexts();

  let host: HTMLElement | null = null;
  let container: HTMLElement | null = null;
  let anchor: Anchor | null = null;
  /** Elements whose removal can change the decision, besides the anchor and the host. */
  let blockers: Element[] = [];
  /** Hidden Open Lines UI watched for becoming visible. */
  let sleepers: Element[] = [];
  /** Per watched element: whether it had a size at the last report. */
  const shownBefore = new WeakMap<Element, boolean>();
  let state: ControlState = 'idle';
  let outcome: PinOutcome | null = null;
  let scheduled = false;
  let finished = false;

  let status: ControlStatus | null = null;
  let pinsAs: string | null = null;
  /** Why the last Undo did nothing; cleared by the next action or outcome. */
  let note: string | null = null;
  let undoExpiry: ReturnType<typeof setTimeout> | undefined;
  /** Undo is offered while the latest outcome is a pin of something, younger than the Undo window. */
  const undoOffered = () =>
    !!outcome &&
    outcome.action === 'pin' &&
    outcome.ok &&
    outcome.sessionIds.length > 0 &&
    Date.now() - outcome.at < UNDO_WINDOW_MS;
  const paint = () => {
    if (!container) return;
    render(
      h(PinAllControl, {
        state,
        texts,
        status,
        onPin,
        onUnpinAll,
        ...(undoOffered() ? { onUndo } : {}),
        note,
        compact: anchor?.compact ?? true,
        pinsAs,
      }),
      container,
    );
  };

  // Texts are read now and outcome lines when they arrive: once the extension is reloaded under this page, its
  // messages can't be read any more, and the control must still render (X2).
  const show = (next: PinOutcome) => {
    if (outcome && next.at < outcome.at) return;
    outcome = next;
    note = null;
    status = { text: outcomeLine(next), ok: next.ok };
    clearTimeout(undoExpiry);
    // Take the Undo button away when its window closes (the background refuses it then anyway).
    if (undoOffered()) undoExpiry = setTimeout(paint, UNDO_WINDOW_MS - (Date.now() - next.at) + 50);
  };

  const createHost = (): HTMLElement => {
    const element = doc.createElement(HOST_TAG);
    element.setAttribute('data-instance', instance);
    const shadow = element.attachShadow({ mode: 'closed' });
    const style = doc.createElement('style');
    style.textContent = options.css;
    container = doc.createElement('div');
    shadow.append(style, container);
    return element;
  };

  const goStale = () => {
    if (state === 'stale') return;
    state = 'stale';
    stopWatching();
    paint();
  };

  const whenGone = (error: unknown): boolean => {
    if (!isContextGone(error)) return false;
    goStale();
    return true;
  };

  async function onPin(): Promise<void> {
    if (state !== 'idle') return;
    state = 'busy';
    paint();
    try {
      const answer = await send({ type: 'pinAll', trigger: 'control' });
      if (isOutcome(answer)) show(answer);
      else throw new Error('no outcome in the answer');
    } catch (error) {
      if (!whenGone(error)) {
        // The request may have left: say so rather than guess (design.md, "Bounded retries").
        const at = Date.now();
        show({
          id: `local-${at}`,
          portal: location.origin,
          at,
          trigger: 'control',
          action: 'pin',
          ok: false,
          error: { kind: 'no-reply' },
        });
      }
    } finally {
      if (state === 'busy') state = 'idle';
      paint();
    }
  }

  /** Runs an Unpin all or an Undo from the control, like {@link onPin}: one action at a time, errors shown. */
  async function runAction(
    busy: 'unpinning' | 'undoing',
    action: 'unpin-all' | 'undo',
    ask: () => Promise<unknown>,
  ): Promise<void> {
    if (state !== 'idle') return;
    state = busy;
    note = null;
    paint();
    try {
      const answer = await ask();
      if (isOutcome(answer)) show(answer);
      else if (answer && typeof answer === 'object' && 'outcome' in answer && isOutcome(answer.outcome))
        show(answer.outcome);
      else if (answer && typeof answer === 'object' && 'refused' in answer)
        note = undoRefusalText(answer.refused as UndoRefusal);
      else throw new Error('no outcome in the answer');
    } catch (error) {
      if (!whenGone(error)) {
        const at = Date.now();
        show({
          id: `local-${at}`,
          portal: location.origin,
          at,
          trigger: 'control',
          action,
          ok: false,
          error: { kind: 'no-reply' },
        });
      }
    } finally {
      if (state === busy) state = 'idle';
      paint();
    }
  }

  const onUnpinAll = () =>
    void runAction('unpinning', 'unpin-all', () => send({ type: 'unpinAll', trigger: 'control' }));
  const onUndo = () => {
    const pinId = outcome?.id;
    void runAction('undoing', 'undo', () =>
      send({ type: 'undoPin', trigger: 'control', ...(pinId ? { pinId } : {}) }),
    );
  };

  const loadLastOutcome = async () => {
    try {
      const last = await send({ type: 'getLastOutcome' });
      if (isOutcome(last)) {
        show(last);
        paint();
      }
      // Whom a pin acts as: the background may read it through this page's login first.
      const who = await send({ type: 'getPinsAs' });
      if (who && typeof who === 'object' && 'useLogin' in who) {
        pinsAs = pinsAsText(who);
        paint();
      }
    } catch (error) {
      whenGone(error);
    }
  };

  const onMessage = (message: unknown, sender: { id?: string }): undefined => {
    if (finished || state === 'stale') return;
    const parsed = safeParse(ContentMessage, message);
    if (!parsed.success || sender.id !== browser.runtime.id) return;
    if (!isOutcome(parsed.output.outcome) || parsed.output.outcome.portal !== location.origin) return;
    show(parsed.output.outcome);
    paint();
  };

  const unmount = () => {
    host?.remove();
    anchor = null;
  };

  const retire = () => {
    unmount();
    stopWatching();
    finished = true;
    clearTimeout(undoExpiry);
  };

  const check = () => {
    decide();
    const list = [...blockers];
    if (anchor) list.push(anchor.element);
    if (anchor && host) list.push(host);
    watched = list.filter((element) => element.isConnected);
  };

  const decide = () => {
    if (finished || state === 'stale') return;
    if (ctx.isInvalid) return; // fires onInvalidated → stale
    for (const other of doc.querySelectorAll(HOST_TAG)) {
      if (other === host) continue;
      // A copy of our host made by the page (cloned DOM) is junk; any other host is a newer instance's.
      if (other.getAttribute('data-instance') === instance) other.remove();
      else return retire();
    }
    const next = findAnchor(doc);
    blockers = next ? [] : Array.from(doc.querySelectorAll(SELECTORS.legacyLinesIframe));
    watchSleepers(hiddenOpenLines(doc));
    if (!next) return unmount();
    if (
      host &&
      anchor &&
      anchor.element === next.element &&
      anchor.place === next.place &&
      isPlaced(host, next)
    ) {
      return;
    }
    host ??= createHost();
    const wasMounted = host.isConnected;
    insert(host, next);
    host.toggleAttribute('data-compact', next.compact);
    const compactChanged = anchor?.compact !== next.compact;
    anchor = next;
    resizeObserver?.observe(host);
    if (!wasMounted) {
      paint();
      void loadLastOutcome();
    } else if (compactChanged) paint();
  };

  const requestCheck = () => {
    if (scheduled || finished) return;
    scheduled = true;
    schedule(() => {
      scheduled = false;
      check();
    });
  };

  /** What the last decision depended on, all connected when it was made; rebuilt by `check`, not per mutation. */
  let watched: Element[] = [];

  const mutationObserver = new MutationObserver((records) => {
    if (!scheduled && isCheapCandidate(records, watched)) requestCheck();
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
          if (changed) requestCheck();
        })
      : null;

  function watchSleepers(next: Element[]): void {
    if (!resizeObserver) return;
    for (const element of sleepers) if (!next.includes(element)) resizeObserver.unobserve(element);
    for (const element of next) if (!sleepers.includes(element)) resizeObserver.observe(element);
    sleepers = next;
  }

  function stopWatching(): void {
    mutationObserver.disconnect();
    resizeObserver?.disconnect();
    try {
      browser.runtime.onMessage.removeListener(onMessage);
    } catch {
      // The runtime is already gone.
    }
  }

  // Hosts left in this document by an older instance (updated or re-injected extension): this one replaces them.
  for (const old of doc.querySelectorAll(HOST_TAG)) old.remove();

  if (!ctx.isInvalid) {
    ctx.onInvalidated(goStale);
    mutationObserver.observe(doc, { childList: true, subtree: true });
    browser.runtime.onMessage.addListener(onMessage);
    ctx.addEventListener(window, 'popstate', requestCheck);
    // WXT's location watcher falls back to a 1 s polling timer without the Navigation API; history changes
    // without one are caught by `popstate` and the DOM changes that come with every in-app navigation.
    if ('navigation' in globalThis) ctx.addEventListener(window, 'wxt:locationchange', requestCheck);
    check();
  }

  return {
    checkNow: check,
    get anchor() {
      return anchor;
    },
  };
}
