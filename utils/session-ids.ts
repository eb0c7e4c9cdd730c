/**
 * The compact text form of a list of session IDs, as the history stores it and messages carry it: one string
 * instead of an array of numbers, so that a pin of 10,000 sessions is written, read and sent as one value (the
 * browser converts an array element by element at each storage write, storage read and message) and checked with
 * one linear scan instead of a validation pipeline per ID.
 *
 * Format: items separated by `,`; an item is a session ID in decimal (`1652`), or a run of consecutive ascending
 * IDs as `first-last` (`100000-109999` is the 10,000 IDs from 100000 to 109999). No spaces, no leading zeros, no
 * empty items; the empty string is the empty list. Order and duplicates are kept as the list had them, so
 * `decodeSessionIds(encodeSessionIds(ids))` gives back exactly `ids`.
 */

/** Most IDs one encoded list may stand for: a bound for a corrupted or forged `first-last` run. */
export const SESSION_IDS_MAX = 1_000_000;

/** Whether `id` can be a Bitrix24 session ID: a positive safe integer. */
export function isSessionId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0;
}

/**
 * Encodes session IDs (positive safe integers; see {@link isSessionId}) as the compact text form: runs of two or
 * more consecutive ascending IDs become `first-last`, every other ID stays as it is.
 * @param ids the IDs, in the order to keep.
 * @returns the text form; `''` for no IDs.
 */
export function encodeSessionIds(ids: readonly number[]): string {
  const items: string[] = [];
  let i = 0;
  while (i < ids.length) {
    const first = ids[i] as number;
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === (ids[j] as number) + 1) j++;
    items.push(j > i ? `${first}-${ids[j]}` : `${first}`);
    i = j + 1;
  }
  return items.join(',');
}

const ZERO = 48;
const NINE = 57;
const COMMA = 44;
const DASH = 45;

/**
 * Decodes the compact text form in one pass over its characters (no intermediate strings).
 * @param text as {@link encodeSessionIds} writes it.
 * @param max most IDs it may stand for (runs expanded).
 * @returns the IDs in order, or `null` when `text` is not in the format (a run whose last ID is not above its
 *   first, an ID that is not a positive safe integer, a leading zero, an empty item) or stands for more than
 *   `max` IDs.
 */
export function decodeSessionIds(text: string, max: number = SESSION_IDS_MAX): number[] | null {
  const ids: number[] = [];
  if (text === '') return ids;
  let first = 0; // 0: no run start read yet in this item
  let n = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : COMMA;
    if (c >= ZERO && c <= NINE) {
      if (digits === 0 && c === ZERO) return null;
      n = n * 10 + (c - ZERO);
      if (++digits > 16 || n > Number.MAX_SAFE_INTEGER) return null;
    } else if (c === DASH) {
      if (digits === 0 || first !== 0) return null;
      first = n;
      n = 0;
      digits = 0;
    } else if (c === COMMA) {
      if (digits === 0) return null;
      if (first === 0) {
        if (ids.length >= max) return null;
        ids.push(n);
      } else {
        if (n <= first || ids.length + (n - first + 1) > max) return null;
        for (let id = first; id <= n; id++) ids.push(id);
      }
      first = 0;
      n = 0;
      digits = 0;
    } else {
      return null;
    }
  }
  return ids;
}
