import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { i18n } from '#i18n';
import type { PinOutcome } from '@/utils/outcome';
import { outcomeLine } from '@/utils/outcome-text';

/**
 * What the control can do right now: `idle` (ready), `busy` (a pin is in flight), `unpinning` / `undoing` (an
 * Unpin all or an Undo is in flight), `stale` (the extension was
 * updated or reloaded under this page: nothing can be sent any more until the page reloads).
 */
export type ControlState = 'idle' | 'busy' | 'unpinning' | 'undoing' | 'stale';

/**
 * Every text the control shows, looked up once while the extension context is alive: after an update or reload
 * the old content script can no longer read the extension's messages, yet must still say "reload the page".
 */
export interface ControlTexts {
  pinAll: string;
  busy: string;
  /** Accessible name of the button. */
  label: string;
  reloadPage: string;
  /** What Pin all does not do (the button's tooltip): new dialogs not accepted yet are not pinned. */
  pinHint: string;
  unpinAll: string;
  unpinAllLabel: string;
  unpinAllAsk: string;
  unpinAllConfirm: string;
  unpinAllBusy: string;
  cancel: string;
  undo: string;
  undoLabel: string;
  undoBusy: string;
}

/** Reads the control's texts from the extension's i18n messages (call while the context is valid). */
export function controlTexts(): ControlTexts {
  return {
    pinAll: i18n.t('pinAll'),
    busy: i18n.t('pinAllBusy'),
    label: i18n.t('pinAllLabel'),
    reloadPage: i18n.t('reloadPage'),
    pinHint: i18n.t('pinHint'),
    unpinAll: i18n.t('unpinAll'),
    unpinAllLabel: i18n.t('unpinAllLabel'),
    unpinAllAsk: i18n.t('unpinAllAsk'),
    unpinAllConfirm: i18n.t('unpinAllConfirm'),
    unpinAllBusy: i18n.t('unpinAllBusy'),
    cancel: i18n.t('cancel'),
    undo: i18n.t('undoButton'),
    undoLabel: i18n.t('undoLabel'),
    undoBusy: i18n.t('undoBusy'),
  };
}

/** The latest outcome as the control shows it: its one-line text and whether it is good news. */
export interface ControlStatus {
  text: string;
  ok: boolean;
}

/** Props of {@link PinAllControlView}: everything it shows is given. */
export interface PinAllControlViewProps {
  state: ControlState;
  texts: ControlTexts;
  /** The latest outcome for this portal, from any trigger (see `outcomeLine`); `null` before the first one. */
  status: ControlStatus | null;
  /** Called for a trusted click while idle. */
  onPin: () => void;
  /**
   * Called for a trusted click on "Unpin all" in the control's question (after a first click on "Unpin all…"
   * asked it). The secondary button is hidden when absent.
   */
  onUnpinAll?: () => void;
  /** Present while the latest outcome is a pin whose Undo is offered: called for a trusted click on "Undo". */
  onUndo?: () => void;
  /** Why the last Undo did nothing ("This pin was already undone."), shown in the status line. */
  note?: string | null;
  /** Narrow list column: the status goes under the button instead of beside it. */
  compact?: boolean;
  /** Whom a pin acts as ("Pins as Jane Doe (ID 7) — your Bitrix24 login"): the button's tooltip. */
  pinsAs?: string | null;
  /**
   * Whether a click came from the user (a page script's `.click()` or synthetic event pins nothing).
   * A seam for tests only: DOM test environments cannot produce trusted events.
   */
  isTrusted?: (event: Event) => boolean;
}

/** The default click guard: only events the browser itself generated for a user action. */
export const isTrustedEvent = (event: Event): boolean => event.isTrusted === true;

/**
 * How the Pin all control looks in one state: a native button styled like a Bitrix24 `ui-btn`, and a polite live
 * region with the latest outcome ("Pinned 2 dialogs: 1652, 1653", or what to do about an error). Never takes focus
 * by itself. Styles: `pin-all-control.css`, loaded into the host's shadow root. Stateless: {@link PinAllControl}
 * owns the state.
 */
export function PinAllControlView({
  state,
  texts,
  status: latest,
  onPin,
  compact = false,
  pinsAs,
  onUnpinAll,
  onUndo,
  note,
  isTrusted = isTrustedEvent,
}: PinAllControlViewProps) {
  const [asking, setAsking] = useState(false);
  const busy = state === 'busy';
  const stale = state === 'stale';
  const idle = state === 'idle';
  const status = stale ? texts.reloadPage : note || (latest?.text ?? '');
  const tone = stale ? 'stale' : note ? 'none' : latest ? (latest.ok ? 'ok' : 'error') : 'none';

  /** Only a user's own click while idle does anything. */
  const trusted = (action: () => void) => (event: MouseEvent) => {
    if (!isTrusted(event) || state !== 'idle') return;
    action();
  };
  const onClick = trusted(onPin);
  const tooltip = [pinsAs, texts.pinHint].filter(Boolean).join('\n');

  return (
    <div class={compact ? 'control control--compact' : 'control'}>
      <button
        type="button"
        class="button"
        aria-label={texts.label}
        aria-busy={busy ? 'true' : undefined}
        title={(!stale && tooltip) || undefined}
        disabled={!idle}
        onClick={onClick}
      >
        {busy ? texts.busy : texts.pinAll}
      </button>
      {onUndo && !stale && (
        <button
          type="button"
          class="secondary"
          aria-label={texts.undoLabel}
          disabled={!idle}
          onClick={trusted(onUndo)}
        >
          {state === 'undoing' ? texts.undoBusy : texts.undo}
        </button>
      )}
      {onUnpinAll &&
        !stale &&
        (asking ? (
          <span class="ask">
            <span class="ask-text">{texts.unpinAllAsk}</span>
            <button
              type="button"
              class="secondary secondary--danger"
              disabled={!idle}
              onClick={trusted(() => {
                setAsking(false);
                onUnpinAll();
              })}
            >
              {texts.unpinAllConfirm}
            </button>
            <button type="button" class="secondary" onClick={trusted(() => setAsking(false))}>
              {texts.cancel}
            </button>
          </span>
        ) : (
          <button
            type="button"
            class="secondary secondary--quiet"
            aria-label={texts.unpinAllLabel}
            disabled={!idle}
            onClick={trusted(() => setAsking(true))}
          >
            {state === 'unpinning' ? texts.unpinAllBusy : texts.unpinAll}
          </button>
        ))}
      <div class={`status status--${tone}`} role="status" aria-live="polite" title={status || undefined}>
        {status}
      </div>
    </div>
  );
}

/**
 * What the control may ask of the extension; `utils/control-mount.ts` implements it over the message protocol.
 * `'gone'` everywhere means the extension context is invalidated (the extension was updated, reloaded or removed
 * under this page): nothing can be sent any more until the page reloads.
 */
export interface ControlLink {
  /** Asks the background to pin all; resolves with the outcome to show (failures included), never rejects. */
  pin(): Promise<PinOutcome | 'gone'>;
  /** The latest outcome for this portal, `null` when none; never rejects. */
  lastOutcome(): Promise<PinOutcome | null | 'gone'>;
  /** Whom a pin acts as, one line for the tooltip ("Pins as Jane Doe (ID 7) — …"), `null` when unknown. */
  pinsAs(): Promise<string | null | 'gone'>;
  /**
   * Calls `listener` with every outcome for this portal the background announces, and with `'gone'` when the
   * context is invalidated (at once, if it already is). Returns the unsubscribe function.
   */
  subscribe(listener: (event: PinOutcome | 'gone') => void): () => void;
  /**
   * Asks the background to unpin all of the operator's pinned dialogs on this portal (the view has asked first);
   * resolves with the outcome, failures included, never rejects.
   */
  unpinAll(): Promise<PinOutcome | { note: string } | 'gone'>;
  /**
   * Asks the background to undo the pin `pinId` (the newest pin's outcome ID): the outcome, or `{note}` saying why
   * nothing was done ("This pin was already undone."); never rejects.
   */
  undo(pinId?: string): Promise<PinOutcome | { note: string } | 'gone'>;
  /**
   * Calls `listener` with what the organisation allows on the control now (from the managed policy, defaults
   * without one), and again whenever that changes. Returns the unsubscribe function.
   */
  watchManaged(listener: (managed: ControlManaged) => void): () => void;
}

/** What the organisation's policy allows on the control: Unpin all, and how long Undo is offered (minutes). */
export interface ControlManaged {
  allowUnpinAll: boolean;
  /** 0: no Undo. */
  undoMinutes: number;
}

/** Props of {@link PinAllControl}. */
export interface PinAllControlProps {
  link: ControlLink;
  /** Read once while the extension context was alive (see {@link controlTexts}). */
  texts: ControlTexts;
  /** Narrow list column: the status goes under the button instead of beside it. */
  compact?: boolean;
  /** See {@link PinAllControlViewProps.isTrusted}; tests only. */
  isTrusted?: (event: Event) => boolean;
}

/**
 * The injected Pin all control with its state: `idle` → `busy` while a pin is in flight (one at a time, however
 * fast the clicks) → `idle`; `stale` for good once the link says the extension is gone. Shows the latest outcome
 * for this portal from any trigger: the last one stored when it mounts, then every one announced; an older one
 * never replaces a newer one.
 */
export function PinAllControl({ link, texts, compact = false, isTrusted }: PinAllControlProps) {
  const [state, setState] = useState<ControlState>('idle');
  const [outcome, setOutcome] = useState<PinOutcome | null>(null);
  const [pinsAs, setPinsAs] = useState<string | null>(null);
  /** Why the last Undo did nothing; cleared by the next action or outcome. */
  const [note, setNote] = useState<string | null>(null);
  const [managed, setManaged] = useState<ControlManaged | null>(null);
  /** Re-renders when the Undo window of the shown pin closes. */
  const [, setTick] = useState(0);
  /** Synchronous guard: two clicks in one task both see `idle` before the re-render. */
  const inFlight = useRef(false);

  const show = (next: PinOutcome) => {
    setNote(null);
    setOutcome((prev) => (prev && next.at < prev.at ? prev : next));
  };

  useEffect(() => {
    let live = true;
    const unsubscribe = link.subscribe((event) => {
      if (event === 'gone') setState('stale');
      else show(event);
    });
    void link.lastOutcome().then((last) => {
      if (!live) return;
      if (last === 'gone') setState('stale');
      else if (last) show(last);
    });
    void link.pinsAs().then((who) => {
      if (live && who !== 'gone') setPinsAs(who);
    });
    const unwatch = link.watchManaged((next) => live && setManaged(next));
    return () => {
      live = false;
      unsubscribe();
      unwatch();
    };
  }, [link]);

  /** How long Undo stays on offer after the shown pin, ms (0 without a window or before the policy is read). */
  const undoLeftMs =
    managed &&
    outcome?.action === 'pin' &&
    outcome.ok &&
    outcome.sessionIds.length > 0 &&
    // Older outcomes keep only their first IDs: never undo part of a pin.
    (outcome.count === undefined || outcome.count <= outcome.sessionIds.length)
      ? outcome.at + managed.undoMinutes * 60_000 - Date.now()
      : 0;
  useEffect(() => {
    if (undoLeftMs <= 0) return;
    // Take the Undo button away when its window closes (the background refuses it then anyway).
    const timer = setTimeout(() => setTick((n) => n + 1), undoLeftMs + 50);
    return () => clearTimeout(timer);
  }, [undoLeftMs > 0, outcome]);

  /** Runs one action at a time; `busy` is the state shown while it is in flight. */
  const run = async (
    busy: 'busy' | 'unpinning' | 'undoing',
    ask: () => Promise<PinOutcome | { note: string } | 'gone'>,
  ) => {
    if (inFlight.current || state !== 'idle') return;
    inFlight.current = true;
    setNote(null);
    setState(busy);
    try {
      const answer = await ask();
      if (answer === 'gone') setState('stale');
      else {
        if ('note' in answer) setNote(answer.note);
        else show(answer);
        setState((current) => (current === busy ? 'idle' : current));
      }
    } finally {
      inFlight.current = false;
    }
  };
  const onPin = () => run('busy', () => link.pin());
  const onUnpinAll = () => run('unpinning', () => link.unpinAll());
  const onUndo = () => run('undoing', () => link.undo(outcome?.id));

  const status = useMemo<ControlStatus | null>(
    () => (outcome ? { text: outcomeLine(outcome), ok: outcome.ok } : null),
    [outcome],
  );
  return (
    <PinAllControlView
      state={state}
      texts={texts}
      status={status}
      onPin={onPin}
      {...(managed?.allowUnpinAll ? { onUnpinAll } : {})}
      {...(undoLeftMs > 0 ? { onUndo } : {})}
      note={note}
      compact={compact}
      pinsAs={pinsAs}
      isTrusted={isTrusted}
    />
  );
}
