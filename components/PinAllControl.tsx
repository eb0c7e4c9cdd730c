import { i18n } from '#i18n';

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

export interface PinAllControlProps {
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
  isTrusted = isTrustedEvent,
}: PinAllControlProps) {
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
