import * as v from 'valibot';
import { type B24Error, CODE_MAX, ERROR_KINDS } from './bitrix24/errors';

/** What started a pin: the injected control on a portal page, the toolbar popup, or the `pin-all` command. */
export type PinTrigger = 'control' | 'popup' | 'shortcut';

/**
 * The result of one Pin all action, the one shape every surface renders (control, popup, badge,
 * notification). Stored in the history; never contains the webhook. {@link PinOutcomeSchema} checks it wherever
 * it crosses a context.
 */
export type PinOutcome = {
  /** Unique per outcome; also the notification ID. */
  id: string;
  /** Portal origin, e.g. `https://acme.bitrix24.com` (no path, no secret); `''` when no portal could be chosen. */
  portal: string;
  /** When the outcome was reached, ms since epoch. */
  at: number;
  trigger: PinTrigger;
} & (
  | {
      ok: true;
      /** Pinned session IDs, as answered by the portal; only the first ones when `count` is set. */
      sessionIds: number[];
      /**
       * How many sessions were pinned, when `sessionIds` keeps only the first ones (older history entries) or none
       * (the `hideHistory` policy, {@link withoutSessionIds}).
       */
      count?: number;
    }
  | { ok: false; error: B24Error }
);

/** Creates an outcome ID that is unique enough for notifications and history. */
export function newOutcomeId(now: number): string {
  return `pin-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** How many sessions an outcome pinned (0 for a failure). */
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
  if (!outcome.ok || outcome.sessionIds.length <= FIRST_IDS_KEPT) return outcome;
  return { ...outcome, sessionIds: outcome.sessionIds.slice(0, FIRST_IDS_KEPT), count: pinnedCount(outcome) };
}

/**
 * The outcome as stored when the history may keep no session IDs (the `hideHistory` policy, `utils/policy.ts`): the
 * same outcome with its IDs replaced by their `count`. Failures carry no IDs and are returned as they are.
 */
export function withoutSessionIds(outcome: PinOutcome): PinOutcome {
  if (!outcome.ok || outcome.sessionIds.length === 0) return outcome;
  return { ...outcome, sessionIds: [], count: pinnedCount(outcome) };
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
  trigger: v.picklist(['control', 'popup', 'shortcut']),
};

/** Schema of {@link PinOutcome}: messages to content scripts, answers to the popup and the control, history. */
export const PinOutcomeSchema: v.GenericSchema<PinOutcome> = v.variant('ok', [
  v.object({
    ...base,
    ok: v.literal(true),
    sessionIds: v.array(v.pipe(v.number(), v.safeInteger(), v.minValue(1))),
    count: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0))),
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
