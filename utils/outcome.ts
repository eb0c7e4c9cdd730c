import * as v from 'valibot';
import { type B24Error, CODE_MAX, ERROR_KINDS } from './bitrix24/errors';
import { decodeSessionIds, encodeSessionIds, isSessionId, SESSION_IDS_MAX } from './session-ids';

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

const sessionId = v.custom<number>(isSessionId, 'not a session ID');

/**
 * A list of session IDs, checked in one pass (a valibot pipeline per element made reading a 10,000-ID outcome
 * take tens of milliseconds).
 */
const sessionIdList = v.custom<number[]>(
  (x) => Array.isArray(x) && x.length <= SESSION_IDS_MAX && x.every(isSessionId),
  'not a list of session IDs',
);

/**
 * The form in which an outcome is stored in the history and sent between contexts: a successful outcome carries
 * its session IDs as one string, `ids` (`utils/session-ids.ts`), instead of the `sessionIds` array, so a 10,000-ID
 * pin is serialized, stored and sent as one value. {@link PinOutcomeSchema} reads it back, and still reads what
 * older versions stored (a `sessionIds` array, no `action`). {@link storedOutcome} writes it.
 */
export type StoredOutcome = PinOutcome extends infer O
  ? O extends { ok: true }
    ? Omit<O, 'sessionIds' | 'action'> & { action?: PinAction } & ({ ids: string } | { sessionIds: number[] })
    : Omit<O, 'action'> & { action?: PinAction }
  : never;

/**
 * The text form of each outcome's session IDs that is known already: the one it was read from
 * ({@link PinOutcomeSchema}) or last stored as ({@link storedOutcome}). Outcomes are never changed in place (every
 * change makes a new object), so an outcome's text stays right; storing the history again and broadcasting an
 * outcome that was just stored then encode nothing.
 */
const idsTextOf = new WeakMap<PinOutcome, string>();

/**
 * The stored and sent form of an outcome ({@link StoredOutcome}): its session IDs as one string, encoded once per
 * outcome. Failures are returned as they are.
 */
export function storedOutcome(outcome: PinOutcome): StoredOutcome {
  if (!outcome.ok) return outcome;
  const { sessionIds, ...rest } = outcome;
  let ids = idsTextOf.get(outcome);
  if (ids === undefined) {
    ids = encodeSessionIds(sessionIds);
    idsTextOf.set(outcome, ids);
  }
  return { ...rest, ids };
}

/**
 * Schema of {@link PinOutcome}: history, messages to content scripts, answers to the popup and the control. Reads
 * the stored form ({@link StoredOutcome}: `ids` text, decoded here; or an older `sessionIds` array) and outputs
 * the outcome with its `sessionIds` array.
 */
export const PinOutcomeSchema: v.GenericSchema<StoredOutcome, PinOutcome> = v.pipe(
  v.variant('ok', [
    v.object({
      ...base,
      ok: v.literal(true),
      ids: v.optional(v.string()),
      sessionIds: v.optional(sessionIdList),
      count: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0))),
      failed: v.optional(v.array(v.object({ sessionId, error: B24ErrorSchema }))),
      unsure: v.optional(sessionIdList),
    }),
    v.object({ ...base, ok: v.literal(false), error: B24ErrorSchema }),
  ]),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const outcome = dataset.value;
    if (!outcome.ok) return outcome;
    const { ids, sessionIds, ...rest } = outcome;
    // Exactly one of the two forms.
    const decoded =
      ids === undefined ? sessionIds : sessionIds === undefined ? decodeSessionIds(ids) : undefined;
    if (!decoded) {
      addIssue({ message: 'session IDs: neither an ID list nor its text form' });
      return NEVER;
    }
    const read: PinOutcome = { ...rest, sessionIds: decoded };
    if (ids !== undefined) idsTextOf.set(read, ids);
    return read;
  }),
) as v.GenericSchema<StoredOutcome, PinOutcome>;

/** The valid outcomes of a stored history (anything else, e.g. written by an older version, is dropped). */
export function parseHistory(raw: unknown): PinOutcome[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item) => {
    const parsed = v.safeParse(PinOutcomeSchema, item);
    return parsed.success ? [parsed.output] : [];
  });
}

/** A history in its stored form ({@link storedOutcome}), newest first as given. */
export function storedHistory(history: readonly PinOutcome[]): StoredOutcome[] {
  return history.map(storedOutcome);
}
