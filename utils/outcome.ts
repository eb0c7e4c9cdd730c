import * as v from 'valibot';
import { type B24Error, CODE_MAX, ERROR_KINDS } from './bitrix24/errors';

/**
 * What started an action: the injected control on a portal page, the toolbar popup, a keyboard command, or a
 * notification's button (Chrome only).
 */
export const PIN_TRIGGERS = ['control', 'popup', 'shortcut', 'notification'] as const;
export type PinTrigger = (typeof PIN_TRIGGERS)[number];

/**
 * Which action an outcome reports: Pin all (`imopenlines.session.mode.pinAll`), Unpin all
 * (`imopenlines.session.mode.unpinAll`), or the Undo of one earlier pin (those sessions unpinned one by one).
 */
export const PIN_ACTIONS = ['pin', 'unpin-all', 'undo'] as const;
export type PinAction = (typeof PIN_ACTIONS)[number];

/** A session an Undo could not unpin, and why (a kind of the one error table, `utils/bitrix24/errors.ts`). */
export interface SessionFailure {
  sessionId: number;
  error: B24Error;
}

/**
 * The result of one action (Pin all, Unpin all, Undo), the one shape every surface renders (control, popup,
 * badge, notification). Stored in the history; never contains the webhook or a session token.
 * {@link PinOutcomeSchema} checks it wherever it crosses a context.
 */
export type PinOutcome = {
  /** Unique per outcome; also the notification ID. */
  id: string;
  /** Portal origin, e.g. `https://acme.bitrix24.com` (no path, no secret); `''` when no portal could be chosen. */
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
      /**
       * Session IDs the action pinned (`pin`) or unpinned (`unpin-all`, `undo`), as the portal answered; only the
       * first ones when `count` is set.
       */
      sessionIds: number[];
      /**
       * How many sessions there were, when `sessionIds` keeps only the first ones (older history entries) or none
       * (the `hideHistory` policy, {@link withoutSessionIds}).
       */
      count?: number;
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

/** How long after a pin its Undo is offered, ms (the control hides its Undo button then; `undoTarget` refuses). */
export const UNDO_WINDOW_MS = 10 * 60_000;

/** Creates an outcome ID that is unique enough for notifications and history. */
export function newOutcomeId(now: number): string {
  return `pin-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * The outcome a surface shows when the background did not answer an action (worker gone, message lost): the
 * request may have left, so "may or may not" (`no-reply`), never "not run".
 * @param portal portal origin, or `''` when none was chosen.
 * @param at when it was reached, ms since epoch.
 */
export function noReplyOutcome(
  portal: string,
  trigger: PinTrigger,
  action: PinAction,
  at: number = Date.now(),
): PinOutcome {
  return { id: newOutcomeId(at), portal, at, trigger, action, ok: false, error: { kind: 'no-reply' } };
}

/** How many sessions an outcome pinned or unpinned (0 for a failure). */
export function pinnedCount(outcome: PinOutcome): number {
  return outcome.ok ? (outcome.count ?? outcome.sessionIds.length) : 0;
}

/** How many IDs an outcome keeps once it is no longer among the newest (see {@link compactOutcome}). */
export const FIRST_IDS_KEPT = 20;

/**
 * The outcome with only its first {@link FIRST_IDS_KEPT} session IDs and their total `count`: what the history
 * keeps of older outcomes, so that its size stays bounded whatever the portals answer.
 */
export function compactOutcome(outcome: PinOutcome): PinOutcome {
  if (!outcome.ok) return outcome;
  const { failed, unsure } = outcome;
  const compacted: PinOutcome = { ...outcome };
  if (failed && failed.length > FIRST_IDS_KEPT) compacted.failed = failed.slice(0, FIRST_IDS_KEPT);
  if (unsure && unsure.length > FIRST_IDS_KEPT) compacted.unsure = unsure.slice(0, FIRST_IDS_KEPT);
  if (outcome.sessionIds.length <= FIRST_IDS_KEPT) return compacted;
  return {
    ...compacted,
    sessionIds: outcome.sessionIds.slice(0, FIRST_IDS_KEPT),
    count: pinnedCount(outcome),
  };
}

/**
 * The outcome as stored when the history may keep no session IDs (the `hideHistory` policy, `utils/policy.ts`): the
 * same outcome with its IDs replaced by their `count` (an Undo's per-session failures dropped). Failures carry no
 * IDs and are returned as they are.
 */
export function withoutSessionIds(outcome: PinOutcome): PinOutcome {
  if (!outcome.ok) return outcome;
  if (outcome.sessionIds.length === 0 && !outcome.failed && !outcome.unsure) return outcome;
  // An Undo's failed and unsure sessions are session IDs too.
  const { failed: _failed, unsure: _unsure, ...rest } = outcome;
  return { ...rest, sessionIds: [], count: pinnedCount(outcome) };
}

const origin = v.pipe(v.string(), v.maxLength(300));
const time = v.pipe(v.number(), v.finite());

/** Schema of {@link B24Error}: bounded, portal-controlled strings included. */
export const B24ErrorSchema = v.object({
  kind: v.picklist(ERROR_KINDS),
  code: v.optional(v.pipe(v.string(), v.maxLength(CODE_MAX), v.regex(/^[\w.:?-]*$/))),
  status: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(999))),
  resetAt: v.optional(time),
  movedTo: v.optional(v.pipe(origin, v.regex(/^https?:\/\/[^/\s]+$/))),
});

const base = {
  id: v.pipe(v.string(), v.maxLength(100)),
  portal: origin,
  at: time,
  trigger: v.picklist(PIN_TRIGGERS),
  // Outcomes stored before Unpin all and Undo existed have no action: they were pins.
  action: v.optional(v.picklist(PIN_ACTIONS), 'pin'),
  undoes: v.optional(v.pipe(v.string(), v.maxLength(100))),
};

const sessionId = v.pipe(v.number(), v.safeInteger(), v.minValue(1));

/** What {@link PinOutcomeSchema} reads: a {@link PinOutcome} whose `action` may be missing (stored before it existed). */
export type PinOutcomeInput = PinOutcome extends infer O
  ? O extends PinOutcome
    ? Omit<O, 'action'> & { action?: PinAction }
    : never
  : never;

/** Schema of {@link PinOutcome}: messages to content scripts, answers to the popup and the control, history. */
export const PinOutcomeSchema: v.GenericSchema<PinOutcomeInput, PinOutcome> = v.variant('ok', [
  v.object({
    ...base,
    ok: v.literal(true),
    sessionIds: v.array(sessionId),
    count: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0))),
    failed: v.optional(v.array(v.object({ sessionId, error: B24ErrorSchema }))),
    unsure: v.optional(v.array(sessionId)),
  }),
  v.object({ ...base, ok: v.literal(false), error: B24ErrorSchema }),
]);

/** The valid outcomes of a stored history (anything else, e.g. written by an older version, is dropped). */
export function parseHistory(raw: unknown): PinOutcome[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item) => {
    const parsed = v.safeParse(PinOutcomeSchema, item);
    return parsed.success ? [parsed.output] : [];
  });
}
