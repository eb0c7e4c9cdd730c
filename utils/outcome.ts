import type { B24Error } from './bitrix24/errors';

/**
 * What started an action: the injected control on a portal page, the toolbar popup, a keyboard command, or a
 * notification's button (Chrome only).
 */
export type PinTrigger = 'control' | 'popup' | 'shortcut' | 'notification';

/**
 * Which action an outcome reports: Pin all (`imopenlines.session.mode.pinAll`), Unpin all
 * (`imopenlines.session.mode.unpinAll`), or the Undo of one earlier pin (those sessions unpinned one by one).
 */
export type PinAction = 'pin' | 'unpin-all' | 'undo';

/** A session an Undo could not unpin, and why (a kind of the one error table, `utils/bitrix24/errors.ts`). */
export interface SessionFailure {
  sessionId: number;
  error: B24Error;
}

/**
 * The result of one action (Pin all, Unpin all, Undo), the one shape every surface renders (control, popup,
 * badge, notification). Stored in the history; never contains the webhook or a session token.
 */
export type PinOutcome = {
  /** Unique per outcome; also the notification ID. */
  id: string;
  /** Portal origin, e.g. `https://acme.bitrix24.com` (no path, no secret). */
  portal: string;
  /** When the outcome was reached, ms since epoch. */
  at: number;
  trigger: PinTrigger;
  action: PinAction;
  /** For `undo`: the ID of the pin outcome it takes back. */
  undoes?: string;
} & (
  | {
      ok: true;
      /** Session IDs the action pinned (`pin`) or unpinned (`unpin-all`, `undo`), as the portal answered. */
      sessionIds: number[];
      /** `undo` only: sessions the portal refused to unpin, each with its reason. */
      failed?: SessionFailure[];
      /**
       * `undo` only: sessions whose request got no answer (timeout, lost connection): they may or may not be
       * unpinned; never re-sent automatically.
       */
      unsure?: number[];
    }
  | { ok: false; error: B24Error }
);

/** Creates an outcome ID that is unique enough for notifications and history. */
export function newOutcomeId(now: number): string {
  return `pin-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
