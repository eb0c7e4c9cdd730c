import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { i18n } from '#i18n';
import type { PinOutcome } from '@/utils/outcome';
import { outcomeLine } from '@/utils/outcome-text';

/**
 * What the control can do right now: `idle` (ready), `busy` (a pin is in flight), `stale` (the extension was
 * updated or reloaded under this page: nothing can be sent any more until the page reloads).
 */
export type ControlState = 'idle' | 'busy' | 'stale';

/**
 * Every text the control shows, looked up once while the extension context is alive: after an update or reload
 * the old content script can no longer read the extension's messages, yet must still say "reload the page" (X2).
 */
export interface ControlTexts {
  pinAll: string;
  busy: string;
  /** Accessible name of the button. */
  label: string;
  reloadPage: string;
}

/** Reads the control's texts from the extension's i18n messages (call while the context is valid). */
export function controlTexts(): ControlTexts {
  return {
    pinAll: i18n.t('pinAll'),
    busy: i18n.t('pinAllBusy'),
    label: i18n.t('pinAllLabel'),
    reloadPage: i18n.t('reloadPage'),
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
  /** Narrow list column: the status goes under the button instead of beside it. */
  compact?: boolean;
  /** Whom a pin acts as ("Pins as Jane Doe (ID 7) — your Bitrix24 login"): the button's tooltip. */
  pinsAs?: string | null;
  /**
   * Whether a click came from the user (X12: a page script's `.click()` or synthetic event pins nothing).
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
  isTrusted = isTrustedEvent,
}: PinAllControlViewProps) {
  const busy = state === 'busy';
  const stale = state === 'stale';
  const status = stale ? texts.reloadPage : (latest?.text ?? '');
  const tone = stale ? 'stale' : latest ? (latest.ok ? 'ok' : 'error') : 'none';

  const onClick = (event: MouseEvent) => {
    if (!isTrusted(event) || state !== 'idle') return;
    onPin();
  };

  return (
    <div class={compact ? 'control control--compact' : 'control'}>
      <button
        type="button"
        class="button"
        aria-label={texts.label}
        aria-busy={busy ? 'true' : undefined}
        title={(!stale && pinsAs) || undefined}
        disabled={state !== 'idle'}
        onClick={onClick}
      >
        {busy ? texts.busy : texts.pinAll}
      </button>
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
  /** Synchronous guard: two clicks in one task both see `idle` before the re-render. */
  const inFlight = useRef(false);

  const show = (next: PinOutcome) => setOutcome((prev) => (prev && next.at < prev.at ? prev : next));

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
    return () => {
      live = false;
      unsubscribe();
    };
  }, [link]);

  const onPin = async () => {
    if (inFlight.current || state !== 'idle') return;
    inFlight.current = true;
    setState('busy');
    try {
      const answer = await link.pin();
      if (answer === 'gone') setState('stale');
      else {
        show(answer);
        setState((current) => (current === 'busy' ? 'idle' : current));
      }
    } finally {
      inFlight.current = false;
    }
  };

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
      compact={compact}
      pinsAs={pinsAs}
      isTrusted={isTrusted}
    />
  );
}
