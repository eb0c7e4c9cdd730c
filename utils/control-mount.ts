import { h, render } from 'preact';
import { safeParse } from 'valibot';
import { browser } from 'wxt/browser';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { type ControlLink, controlTexts, PinAllControl } from '@/components/PinAllControl';
import { type AnchorWatcher, watchAnchor } from './anchor-watcher';
import type { UndoAnswer } from './background/unpin-service';
import type { UndoRefusal } from './bitrix24/unpin';
import { createControlHost, removeOlderHosts } from './control-host';
import { ContentMessage, sendToBackground } from './messaging';
import { noReplyOutcome, type PinAction, type PinOutcome } from './outcome';
import { undoRefusalText } from './outcome-text';
import { pinsAsText } from './pins-as';
import { effectiveSettings, readPolicy, watchPolicy } from './policy';
import type { Anchor } from './portal-pages';

/**
 * Keeps exactly one Pin all control in this document, where the anchor watcher says, for as long as the content
 * script's context lives; then leaves it disabled with "reload the page". Wiring only: where the control goes is
 * `anchor-watcher.ts` (and `portal-pages.ts`), the element carrying it `control-host.ts`, its state and look
 * `components/PinAllControl.tsx`; this file connects them to the extension (messages, context lifetime).
 *
 * - One control per document, even when the content script runs twice: a newly started instance first removes
 *   every host an older instance left (WXT invalidates the older instance's context when a newer one starts in
 *   the same document); should a newer instance's host ever appear, this one retires.
 * - Follows in-app navigation: `wxt:locationchange` and `popstate` ask for a check, besides the DOM changes
 *   every in-app navigation brings. WXT's location watcher falls back to a 1 s polling timer without the
 *   Navigation API, so `wxt:locationchange` is only listened to where the API exists.
 * - Texts are read at start, outcome lines when they arrive: once the extension is reloaded under this page, its
 *   messages can't be read any more, and the control must still render "reload the page".
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
  /** The watcher's mode (`searching`, `settled`, `stopped`): whether the page's whole DOM is being observed. */
  readonly watching: AnchorWatcher['mode'];
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

/**
 * The {@link ControlLink} over the message protocol, for pages of `location.origin`. Turns every failure into
 * what the control shows: `'gone'` when the context is invalidated ({@link isContextGone}), otherwise a
 * "no reply" outcome, since the request may have left ("may or may not be pinned", never "not run").
 */
export function createControlLink(send: typeof sendToBackground): ControlLink & {
  /** Tells every subscriber the context is gone (once). */
  goStale(): void;
  /** Stops listening to the background. */
  close(): void;
} {
  const listeners = new Set<(event: PinOutcome | 'gone') => void>();
  let gone = false;
  const goStale = () => {
    if (gone) return;
    gone = true;
    close();
    for (const listener of listeners) listener('gone');
  };
  const whenGone = (error: unknown): 'gone' | null => {
    if (!isContextGone(error)) return null;
    goStale();
    return 'gone';
  };
  const onMessage = (message: unknown, sender: { id?: string }): undefined => {
    if (gone) return;
    const parsed = safeParse(ContentMessage, message);
    if (!parsed.success || sender.id !== browser.runtime.id || parsed.output.type !== 'outcome') return;
    const outcome = parsed.output.outcome;
    if (!isOutcome(outcome) || outcome.portal !== location.origin) return;
    for (const listener of listeners) listener(outcome);
  };
  function close(): void {
    try {
      browser.runtime.onMessage.removeListener(onMessage);
    } catch {
      // The runtime is already gone.
    }
  }
  browser.runtime.onMessage.addListener(onMessage);

  /**
   * Runs one action through the background. A failure that is not the context going away becomes a "no reply"
   * outcome of that action: the request may have left ("may or may not", never "not run").
   */
  async function act(
    action: PinAction,
    ask: () => Promise<unknown>,
  ): Promise<PinOutcome | { note: string } | 'gone'> {
    if (gone) return 'gone';
    try {
      const answer = await ask();
      if (isOutcome(answer)) return answer;
      if (answer && typeof answer === 'object' && 'outcome' in answer && isOutcome(answer.outcome))
        return answer.outcome;
      if (answer && typeof answer === 'object' && 'refused' in answer)
        return { note: undoRefusalText((answer as UndoAnswer & { refused: UndoRefusal }).refused) };
      throw new Error('no outcome in the answer');
    } catch (error) {
      if (whenGone(error)) return 'gone';
      return noReplyOutcome(location.origin, 'control', action);
    }
  }

  return {
    async pin() {
      // pinAll answers an outcome, never a refusal.
      return (await act('pin', () => send({ type: 'pinAll', trigger: 'control' }))) as PinOutcome | 'gone';
    },
    unpinAll: () => act('unpin-all', () => send({ type: 'unpinAll', trigger: 'control' })),
    undo: (pinId) =>
      act('undo', () => send({ type: 'undoPin', trigger: 'control', ...(pinId ? { pinId } : {}) })),
    watchManaged(listener) {
      // What the organisation allows here (Unpin all, the Undo window); the background enforces it either way.
      let live = true;
      const apply = (reading: { policy: Parameters<typeof effectiveSettings>[0] }) => {
        if (!live) return;
        const settings = effectiveSettings(reading.policy, { useLogin: true });
        listener({ allowUnpinAll: settings.allowUnpinAll, undoMinutes: settings.undoMinutes });
      };
      void readPolicy().then(apply);
      let stop = () => {};
      try {
        stop = watchPolicy(apply);
      } catch {
        // The runtime is already gone.
      }
      return () => {
        live = false;
        stop();
      };
    },
    async lastOutcome() {
      if (gone) return 'gone';
      try {
        const last = await send({ type: 'getLastOutcome' });
        return isOutcome(last) ? last : null;
      } catch (error) {
        return whenGone(error) ?? null;
      }
    },
    async pinsAs() {
      if (gone) return 'gone';
      try {
        // The background may first read the user through this page's login.
        const who = await send({ type: 'getPinsAs' });
        return who && typeof who === 'object' && 'useLogin' in who ? pinsAsText(who) : null;
      } catch (error) {
        return whenGone(error) ?? null;
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      if (gone) listener('gone');
      return () => listeners.delete(listener);
    },
    goStale,
    close,
  };
}

/** Starts the control for this document. Everything it sets up ends with `ctx`. */
export function startPinAllControl(ctx: Ctx, options: ControlMountOptions): ControlMount {
  const doc = document;
  const texts = controlTexts();
  let finished = false;

  // Hosts left in this document by an older instance (updated or re-injected extension): this one replaces them.
  removeOlderHosts(doc);

  const link = createControlLink(options.send ?? sendToBackground);
  const host = createControlHost(doc, {
    css: options.css,
    render: (container, compact) => render(h(PinAllControl, { link, texts, compact }), container),
  });

  const onAnchor = (anchor: Anchor | null) => {
    if (finished) return;
    if (ctx.isInvalid) return; // fires onInvalidated → stale
    if (host.hasRival()) {
      // A newer instance runs in this document: it owns the control.
      finished = true;
      host.remove();
      watcher.stop();
      link.close();
      return;
    }
    if (anchor) {
      host.place(anchor);
      watcher.track(host.element ? [host.element] : []);
    } else host.remove();
  };
  const watcher = watchAnchor(doc, { onAnchor, schedule: options.schedule });

  // The control stays where it is and says "reload the page"; nothing follows the page any more.
  const goStale = () => {
    if (finished) return;
    finished = true;
    watcher.stop();
    link.goStale();
  };

  link.subscribe((event) => {
    if (event === 'gone') goStale();
  });

  if (ctx.isInvalid) goStale();
  else {
    ctx.onInvalidated(goStale);
    ctx.addEventListener(window, 'popstate', () => watcher.request());
    if ('navigation' in globalThis)
      ctx.addEventListener(window, 'wxt:locationchange', () => watcher.request());
    watcher.check();
  }

  return {
    checkNow: () => watcher.check(),
    get anchor() {
      return watcher.anchor;
    },
    get watching() {
      return watcher.mode;
    },
  };
}
