import type { B24Error } from './bitrix24/errors';

/** What started a pin: the injected control on a portal page, the toolbar popup, or the `pin-all` command. */
export type PinTrigger = 'control' | 'popup' | 'shortcut';

/**
 * The result of one Pin all action, the one shape every surface renders (control, popup, badge,
 * notification). Stored in the history; never contains the webhook.
 */
export type PinOutcome = {
  /** Unique per outcome; also the notification ID. */
  id: string;
  /** Portal origin, e.g. `https://acme.bitrix24.com` (no path, no secret). */
  portal: string;
  /** When the outcome was reached, ms since epoch. */
  at: number;
  trigger: PinTrigger;
} & (
  | {
      ok: true;
      /** Pinned session IDs, as answered by the portal; empty in a stored outcome whose IDs were withheld. */
      sessionIds: number[];
      /**
       * How many sessions were pinned, set only when the IDs were not kept (the `hideHistory` policy,
       * `utils/policy.ts`); read it through {@link sessionCount}.
       */
      count?: number;
    }
  | { ok: false; error: B24Error }
);

/** Creates an outcome ID that is unique enough for notifications and history. */
export function newOutcomeId(now: number): string {
  return `pin-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** How many sessions an outcome pinned: its IDs, or the count kept in their place when the IDs were withheld. */
export function sessionCount(outcome: PinOutcome & { ok: true }): number {
  return outcome.count ?? outcome.sessionIds.length;
}

/**
 * The outcome as stored when the history may keep no session IDs (the `hideHistory` policy): the same outcome with
 * its IDs replaced by their count. Failures carry no IDs and are returned as they are.
 */
export function withoutSessionIds(outcome: PinOutcome): PinOutcome {
  if (!outcome.ok || (outcome.sessionIds.length === 0 && outcome.count !== undefined)) return outcome;
  return { ...outcome, sessionIds: [], count: sessionCount(outcome) };
}
