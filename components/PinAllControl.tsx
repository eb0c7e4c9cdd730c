import { useState } from 'preact/hooks';
import { i18n } from '#i18n';

/**
 * What the control can do right now: `idle` (ready), `busy` (a pin is in flight), `unpinning` / `undoing` (an
 * Unpin all or an Undo is in flight), `stale` (the extension was
 * updated or reloaded under this page: nothing can be sent any more until the page reloads).
 */
export type ControlState = 'idle' | 'busy' | 'unpinning' | 'undoing' | 'stale';

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

export interface PinAllControlProps {
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
   * Whether a click came from the user (X12: a page script's `.click()` or synthetic event pins nothing).
   * A seam for tests only: DOM test environments cannot produce trusted events.
   */
  isTrusted?: (event: Event) => boolean;
}

/** The default click guard: only events the browser itself generated for a user action. */
export const isTrustedEvent = (event: Event): boolean => event.isTrusted === true;

/**
 * The injected Pin all control: a native button styled like a Bitrix24 `ui-btn`, and a polite live region with
 * the latest outcome ("Pinned 2 dialogs: 1652, 1653", or what to do about an error). Never takes focus by itself.
 * Styles: `pin-all-control.css`, loaded into the host's shadow root.
 */
export function PinAllControl({
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
}: PinAllControlProps) {
  const [asking, setAsking] = useState(false);
  const busy = state === 'busy';
  const stale = state === 'stale';
  const idle = state === 'idle';
  const status = stale ? texts.reloadPage : note || (latest?.text ?? '');
  const tone = stale ? 'stale' : note ? 'none' : latest ? (latest.ok ? 'ok' : 'error') : 'none';

  /** Only a user's own click while idle does anything (X12). */
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
