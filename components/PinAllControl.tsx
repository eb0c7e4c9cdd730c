import { i18n } from '#i18n';
import type { PinOutcome } from '@/utils/outcome';
import { outcomeLine } from '@/utils/outcome-text';

/**
 * What the control can do right now: `idle` (ready), `busy` (a pin is in flight), `stale` (the extension was
 * updated or reloaded under this page: nothing can be sent any more until the page reloads).
 */
export type ControlState = 'idle' | 'busy' | 'stale';

export interface PinAllControlProps {
  state: ControlState;
  /** The latest outcome for this portal, from any trigger; `null` before the first one. */
  outcome: PinOutcome | null;
  /** Called for a trusted click while idle. */
  onPin: () => void;
  /** Narrow list column: the status goes under the button instead of beside it. */
  compact?: boolean;
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
  outcome,
  onPin,
  compact = false,
  isTrusted = isTrustedEvent,
}: PinAllControlProps) {
  const busy = state === 'busy';
  const stale = state === 'stale';
  const status = stale ? i18n.t('reloadPage') : outcome ? outcomeLine(outcome) : '';
  const tone = stale ? 'stale' : outcome && !outcome.ok ? 'error' : outcome ? 'ok' : 'none';

  const onClick = (event: MouseEvent) => {
    if (!isTrusted(event) || state !== 'idle') return;
    onPin();
  };

  return (
    <div class={compact ? 'control control--compact' : 'control'}>
      <button
        type="button"
        class="button"
        aria-label={i18n.t('pinAllLabel')}
        aria-busy={busy ? 'true' : undefined}
        disabled={state !== 'idle'}
        onClick={onClick}
      >
        {busy ? i18n.t('pinAllBusy') : i18n.t('pinAll')}
      </button>
      <div class={`status status--${tone}`} role="status" aria-live="polite" title={status || undefined}>
        {status}
      </div>
    </div>
  );
}
