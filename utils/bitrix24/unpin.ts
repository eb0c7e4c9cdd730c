import { type PinOutcome, type SessionFailure, UNDO_WINDOW_MS } from '../outcome';
import type { CallResult } from './client';
import { type B24Error, faultKind, REQUEST_NOT_RUN } from './errors';
import { parseSessionIds, RATE_LIMIT_BACKOFF_MS } from './pin-all';
import { planUndo, readUndoBatch } from './undo-plan';

/**
 * The two companions of Pin all: Unpin all (`imopenlines.session.mode.unpinAll`, no parameters; answers the
 * unpinned session IDs — b24restdocs `api-reference/imopenlines/openlines/sessions/
 * imopenlines-session-mode-unpin-all.md`) and the Undo of one pin (its sessions unpinned through `batch`, see
 * `undo-plan.ts`). Both send through whichever credential the portal uses ({@link ActionSend}), retry only what
 * certainly did not run, and never re-send after an answer that may have run.
 */

/** The REST method of Unpin all. */
export const UNPIN_ALL_METHOD = 'imopenlines.session.mode.unpinAll';
/** The REST method an Undo sends its commands through. */
export const BATCH_METHOD = 'batch';
export { UNDO_WINDOW_MS } from '../outcome';
/** Abort Unpin all after this long without a reply, ms (as Pin all). */
export const UNPIN_ALL_TIMEOUT_MS = 20_000;
/** Abort one Undo batch (25 sessions, 50 commands) after this long without a reply, ms. */
export const UNDO_BATCH_TIMEOUT_MS = 30_000;
/** Undo batches sent back to back before the spacing starts. */
export const UNDO_BURST = 10;
/**
 * Pause between later Undo batches, ms: 1.33 requests per second, below the portal's drain of 2 per second, so a
 * 5,000-session Undo (200 requests) never fills the bucket and leaves room for the portal's own page.
 */
export const UNDO_SPACING_MS = 750;
/** Retries of one request refused for the rate limit (nothing ran), at most. */
export const RATE_RETRIES = 3;

/** The body of an outcome: what an action reports, before the background dates and records it. */
export type ActionBody =
  | { ok: true; sessionIds: number[]; failed?: SessionFailure[]; unsure?: number[] }
  | { ok: false; error: B24Error };

/**
 * Sends one request through the portal's credential (the webhook, or the operator's login from a portal tab),
 * rate-limited by the extension's bucket, awaiting `beforeSend` once the rate token is granted, right before the
 * request leaves; errors are values ({@link CallResult}).
 */
export type ActionSend = (
  method: typeof UNPIN_ALL_METHOD | typeof BATCH_METHOD,
  params: Record<string, unknown>,
  timeoutMs: number,
  beforeSend?: () => Promise<void>,
) => Promise<CallResult>;

/** What the two actions need. */
export interface UnpinDeps {
  send: ActionSend;
  sleep(ms: number): Promise<void>;
  /** Called right before each request leaves (pending mark for a worker that dies mid-request). */
  beforeSend?(): Promise<void>;
}

/**
 * Sends one request, retrying a rate-limit refusal (the portal's `QUERY_LIMIT_EXCEEDED` or the extension's own
 * bucket: in both nothing ran) at most {@link RATE_RETRIES} times after a back-off. Nothing else is re-sent.
 */
async function sendBounded(
  deps: UnpinDeps,
  method: Parameters<ActionSend>[0],
  params: Record<string, unknown>,
  timeoutMs: number,
): Promise<CallResult> {
  for (let attempt = 0; ; attempt++) {
    const answer = await deps.send(method, params, timeoutMs, deps.beforeSend);
    if (answer.ok || answer.error.kind !== 'rate-limited' || attempt >= RATE_RETRIES) return answer;
    await deps.sleep(RATE_LIMIT_BACKOFF_MS * (attempt + 1));
  }
}

/**
 * Unpin all: one `unpinAll` call.
 * @returns the unpinned session IDs (possibly none), or the error; never rejects.
 */
export async function runUnpinAll(deps: UnpinDeps): Promise<ActionBody> {
  const answer = await sendBounded(deps, UNPIN_ALL_METHOD, {}, UNPIN_ALL_TIMEOUT_MS);
  if (!answer.ok) return { ok: false, error: answer.error };
  const sessionIds = parseSessionIds(answer.result);
  if (!sessionIds) return { ok: false, error: { kind: faultKind('unexpected-result', 200), status: 200 } };
  return { ok: true, sessionIds };
}

/**
 * Undo: unpins exactly `sessionIds` through `batch` requests of 25 sessions ({@link planUndo}), the first
 * {@link UNDO_BURST} back to back, then {@link UNDO_SPACING_MS} apart. A batch refused before it ran (rate limit)
 * is retried a bounded number of times; any other failure of a whole batch stops the Undo: that batch's sessions
 * are `unsure` when it may have run (no reply), else failed with its error, and the sessions not sent yet fail with
 * the same error.
 * @returns `ok: false` only when nothing was unpinned and nothing may have run (e.g. the first request was
 *   refused); otherwise the unpinned sessions with the failures and unknowns by session. Never rejects.
 */
export async function runUndo(sessionIds: readonly number[], deps: UnpinDeps): Promise<ActionBody> {
  const batches = planUndo(sessionIds);
  const unpinned: number[] = [];
  const failed: SessionFailure[] = [];
  const unsure: number[] = [];
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b]!;
    if (b >= UNDO_BURST) await deps.sleep(UNDO_SPACING_MS);
    const answer = await sendBounded(deps, BATCH_METHOD, { cmd: batch.cmd, halt: 0 }, UNDO_BATCH_TIMEOUT_MS);
    const reading = answer.ok ? readUndoBatch(answer.result, batch) : null;
    if (reading) {
      unpinned.push(...reading.unpinned);
      failed.push(...reading.failed);
      unsure.push(...reading.unsure);
      continue;
    }
    const error: B24Error = answer.ok
      ? { kind: faultKind('unexpected-result', 200), status: 200 }
      : answer.error;
    const notRun = REQUEST_NOT_RUN.has(error.kind);
    if (notRun && b === 0) return { ok: false, error };
    if (notRun) for (const sessionId of batch.sessionIds) failed.push({ sessionId, error });
    else unsure.push(...batch.sessionIds);
    for (const later of batches.slice(b + 1))
      for (const sessionId of later.sessionIds) failed.push({ sessionId, error });
    break;
  }
  return {
    ok: true,
    sessionIds: unpinned,
    ...(failed.length ? { failed } : {}),
    ...(unsure.length ? { unsure } : {}),
  };
}

/** Why an Undo is not offered (or does nothing): see {@link undoTarget}. */
export type UndoRefusal = 'no-pin' | 'nothing-pinned' | 'expired' | 'already-undone' | 'unpinned-since';

/**
 * The pin an Undo on `portal` would take back: the portal's newest pin, if it pinned something less than
 * `windowMs` ago and no Undo of it and no Unpin all on that portal came after it.
 * @param history outcomes, newest first (the background's history).
 * @param pinId the pin the operator saw the Undo for; another pin being newest by now means `expired`.
 * @param windowMs how long Undo is offered after a pin, ms: {@link UNDO_WINDOW_MS}, or the `undoMinutes` policy
 *   (`utils/policy.ts`).
 * @returns the pin outcome, or why there is none.
 */
export function undoTarget(
  history: readonly PinOutcome[],
  portal: string,
  now: number,
  pinId?: string,
  windowMs: number = UNDO_WINDOW_MS,
): { pin: PinOutcome & { ok: true } } | { refused: UndoRefusal } {
  const mine = history.filter((o) => o.portal === portal);
  const index = mine.findIndex((o) => o.action === 'pin');
  const pin = mine[index];
  if (!pin) return { refused: 'no-pin' };
  const since = mine.slice(0, index);
  // An Undo that certainly sent nothing the portal ran (no webhook, logged out…) may be tried again.
  const undid = (o: PinOutcome, id: string) =>
    o.action === 'undo' && o.undoes === id && (o.ok || !REQUEST_NOT_RUN.has(o.error.kind));
  if (since.some((o) => undid(o, pin.id))) return { refused: 'already-undone' };
  if (pinId !== undefined && pinId !== pin.id) {
    return history.some((o) => undid(o, pinId)) ? { refused: 'already-undone' } : { refused: 'expired' };
  }
  if (!pin.ok || pin.sessionIds.length === 0) return { refused: 'nothing-pinned' };
  if (since.some((o) => o.action === 'unpin-all' && o.ok)) return { refused: 'unpinned-since' };
  if (now - pin.at >= windowMs || now < pin.at) return { refused: 'expired' };
  // The history keeps only the first IDs of older outcomes: never undo part of a pin.
  if (pin.count !== undefined && pin.count > pin.sessionIds.length) return { refused: 'expired' };
  return { pin: pin as PinOutcome & { ok: true } };
}
