import * as v from 'valibot';
import type { SessionFailure } from '../outcome';
import { type B24Error, faultKind, kindOfCode } from './errors';

/**
 * The request plan of an Undo: the sessions one pin reported are unpinned one by one, never with `unpinAll`
 * (which would also unpin what the operator pinned by hand). Per session two commands of one `batch`:
 * `imopenlines.dialog.get?SESSION_ID=ID` answers the chat, whose `id` is the chat ID, and
 * `imopenlines.session.mode.pin?CHAT_ID=$result[dN][id]&ACTIVATE=N` unpins it (`ACTIVATE=N` sent explicitly: the
 * English and Russian docs disagree on its default). Sources: b24restdocs `api-reference/imopenlines/openlines/
 * sessions/imopenlines-session-mode-pin.md`, `…/dialogs/imopenlines-dialog-get.md`, `api-reference/batch.md`
 * (at most 50 commands, `$result[name][field]` references, HTTP 200 with `result_error` when some fail).
 */

/** Sessions per `batch` request: two commands each, and a batch takes at most 50 commands. */
export const UNDO_SESSIONS_PER_BATCH = 25;
/** Commands a Bitrix24 `batch` accepts at most. */
export const BATCH_MAX_COMMANDS = 50;

/** One `batch` request of an Undo: its sessions and the `cmd` object sent for them. */
export interface UndoBatch {
  sessionIds: number[];
  /** `d0`…`d24`: `imopenlines.dialog.get`; `u0`…`u24`: `imopenlines.session.mode.pin` with `ACTIVATE=N`. */
  cmd: Record<string, string>;
}

/** The command that finds session `id`'s chat. */
const dialogGet = (id: number) => `imopenlines.dialog.get?SESSION_ID=${id}`;
/** The command that unpins the chat found by command `d<i>`. */
const unpin = (i: number) => `imopenlines.session.mode.pin?CHAT_ID=$result[d${i}][id]&ACTIVATE=N`;

/**
 * Splits the sessions of a pin into `batch` requests of at most {@link UNDO_SESSIONS_PER_BATCH} sessions (two
 * commands each). Duplicates and anything but positive safe integers are dropped.
 * @returns the batches in order; none for no sessions.
 */
export function planUndo(sessionIds: readonly number[]): UndoBatch[] {
  const ids = [...new Set(sessionIds)].filter((id) => Number.isSafeInteger(id) && id > 0);
  const batches: UndoBatch[] = [];
  for (let start = 0; start < ids.length; start += UNDO_SESSIONS_PER_BATCH) {
    const slice = ids.slice(start, start + UNDO_SESSIONS_PER_BATCH);
    const cmd: Record<string, string> = {};
    slice.forEach((id, i) => {
      cmd[`d${i}`] = dialogGet(id);
      cmd[`u${i}`] = unpin(i);
    });
    batches.push({ sessionIds: slice, cmd });
  }
  return batches;
}

/**
 * Whether `cmd` is exactly an Undo batch's `cmd` as {@link planUndo} builds it: pairs `d<i>`/`u<i>` for
 * `i = 0…n-1` (n ≤ {@link UNDO_SESSIONS_PER_BATCH}), each `d<i>` a `dialog.get` of one positive integer session
 * ID and each `u<i>` the unpin of the chat `d<i>` found. A portal tab's content script checks this before it
 * sends a `batch` with the operator's login: nothing else can be smuggled through it.
 */
export function isUndoBatchCmd(cmd: unknown): cmd is Record<string, string> {
  if (typeof cmd !== 'object' || cmd === null || Array.isArray(cmd)) return false;
  const entries = Object.entries(cmd);
  if (entries.length === 0 || entries.length % 2 !== 0 || entries.length > BATCH_MAX_COMMANDS) return false;
  const n = entries.length / 2;
  for (let i = 0; i < n; i++) {
    const d = (cmd as Record<string, unknown>)[`d${i}`];
    const u = (cmd as Record<string, unknown>)[`u${i}`];
    if (typeof d !== 'string' || typeof u !== 'string') return false;
    const m = /^imopenlines\.dialog\.get\?SESSION_ID=([1-9]\d{0,14})$/.exec(d);
    if (!m || !Number.isSafeInteger(Number(m[1]))) return false;
    if (u !== unpin(i)) return false;
  }
  return true;
}

/** The schema of an Undo batch's `cmd` ({@link isUndoBatchCmd}), for message validation. */
export const UndoBatchCmd = v.custom<Record<string, string>>(isUndoBatchCmd, 'not an Undo batch');

/** What one answered Undo batch did, by session. */
export interface UndoBatchReading {
  /** Sessions whose unpin answered `true`. */
  unpinned: number[];
  /** Sessions whose `dialog.get` or unpin failed, with the error of the failing command. */
  failed: SessionFailure[];
  /** Sessions with neither an answer nor an error (a command the portal did not report): unknown. */
  unsure: number[];
}

/** A `result_error` entry as an error of the one table; the command's code decides the kind. */
function commandError(entry: unknown): B24Error {
  const code =
    typeof entry === 'object' && entry !== null && typeof (entry as { error?: unknown }).error === 'string'
      ? (entry as { error: string }).error
      : '';
  if (!code) return { kind: faultKind('no-envelope', 200), status: 200 };
  return { kind: kindOfCode(code), code };
}

const asRecord = (x: unknown): Record<string, unknown> | null =>
  typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : null;

/**
 * Reads the `result` of an Undo batch (`{result: {name: …}, result_error: {name: {error, …}}, …}`; PHP may send
 * an empty list for an empty object) session by session: an error of `d<i>` (the session's chat was not found or
 * is not accessible) or of `u<i>` (e.g. `ERROR_USER_NOT_OPERATOR`: another operator has the dialog now) fails
 * that session; an unpin answer `true` counts it as unpinned.
 * @returns the reading, or null when `result` does not have a batch's shape at all.
 */
export function readUndoBatch(result: unknown, batch: UndoBatch): UndoBatchReading | null {
  const body = asRecord(result);
  const results = asRecord(body?.result);
  const errors = asRecord(body?.result_error) ?? {};
  if (!body || !results) return null;
  const reading: UndoBatchReading = { unpinned: [], failed: [], unsure: [] };
  batch.sessionIds.forEach((sessionId, i) => {
    const error = errors[`d${i}`] ?? errors[`u${i}`];
    if (error !== undefined) reading.failed.push({ sessionId, error: commandError(error) });
    else if (results[`u${i}`] === true || results[`u${i}`] === 'true' || results[`u${i}`] === 1)
      reading.unpinned.push(sessionId);
    else reading.unsure.push(sessionId);
  });
  return reading;
}
